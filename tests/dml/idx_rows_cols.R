source("common.R")
X <- dml_matrix(1:20, 4, 5) / 7 + 0.5

pm(matrix(X[2, ], 1)); pm(X[, 3]); pm(X); p(1, 5); p(4, 1)
