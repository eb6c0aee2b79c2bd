source("common.R")
X <- dml_matrix(1:20, 4, 5) / 7 + 0.5

pm(matrix(X[2, ], 1)); pm(X[2:3, ]); p(0)
