source("common.R")

X <- dml_matrix(1:4, 2, 2); Y <- X; Y[1, 1] <- 100
p(X[1, 1]); p(Y[1, 1]); Z <- X[1:2, 2]; Z[1] <- -7; p(X[1, 2])
