source("common.R")
X <- dml_matrix(1:20, 4, 5) / 4 - 2
Y <- X
X[1, 1] <- 7
X <- X + 1
W <- X
W[2, 2] <- 100
X <- X * 2
pm(X)
pm(Y)
pm(W)
X <- 1 / (1 + exp(-X))
X <- 10 - 2^X
X <- abs(dml_round(X * 3))
pm(X)
X <- (X + 1) / (X - 30)
X <- X * sum(X) + X
pm(X)
X <- X + matrix(1:4, 4, 5)
X <- X - 1.5
pm(X)
X <- (X > 400) * 2 - 1
pm(X)
