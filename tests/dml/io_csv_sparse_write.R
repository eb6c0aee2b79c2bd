source("common.R")
X <- dml_matrix(1:12, 4, 3) / 7 - 0.5
X[2, 2] <- 0; X[3, 1] <- 1e-20; X[4, 3] <- 123456789.125

p(0); pm(X)
