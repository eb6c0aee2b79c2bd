source("common.R")
X <- dml_matrix(c(1, 5, 2, 2, 3, 7, 3, 5, 1, 4, 8, 3, 5, 1, 5, 6, 5, 9), 6, 3)
pm(X[X[, 2] == 5, ]); pm(X[X[, 2] != 5, ]); pm(X[X[, 3] < 3, , drop = FALSE])
pm(X[X[, 3] > 3, ]); pm(X[X[, 1] <= 2, ]); pm(X[X[, 1] >= 4.5, ]); p(0)
