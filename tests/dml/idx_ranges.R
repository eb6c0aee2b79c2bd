source("common.R")
X <- dml_matrix(1:20, 4, 5) / 7 + 0.5

pm(X[2:3, 1:2]); pm(X[2:3, ]); pm(X[, 2:4]); pm(X[1:2, 3]); pm(matrix(X[3, 2:4], 1)); pm(X[4, 5]); pm(X)
