source("common.R")
X <- dml_matrix(1:6, 2, 3) - 2.5
pm(X * 2); pm(X + X[1, 1]); pm(X / 14); pm(X - 2)
