source("common.R")
X <- matrix(0, 3, 4); X[1, 1] <- 1.5; X[2, 3] <- -2; X[3, 4] <- 7; X[1, 4] <- 0.25
p(3, 4); pm(X); pm(dml_matrix(c(0, 3.5, -1, 0), 2, 2))
