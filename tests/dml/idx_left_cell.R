source("common.R")
X <- dml_matrix(1:20, 4, 5) / 7 + 0.5

X[2, 3] <- 7; X[1, 1] <- -1.5; X[4, 5] <- X[1, 1]; X[3, 4] <- 300
pm(X)
Y <- outer(1:3, 1:3, function(a, b) a * 10 + b); pm(Y)
