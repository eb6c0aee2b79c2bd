source("common.R")
X <- dml_matrix(1:20, 4, 5) / 7 + 0.5

pm(X[3:4, ]); pm(X[1:4, 5]); pm(X[2:3, 2]); pm(matrix(X[3, ], 1)); pm(matrix(X[4, 4:5], 1))
