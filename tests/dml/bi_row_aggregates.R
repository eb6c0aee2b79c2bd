source("common.R")
X <- dml_matrix(c(3, -1.5, 2, 8, 0.25, -4, 7, 1, 5.5, 2, -3, 6), 4, 3)

pm(rowSums(X)); pm(rowMeans(X)); pm(apply(X, 1, var)); pm(apply(X, 1, max)); pm(apply(X, 1, min))
pm(apply(X, 1, sd)); pm(apply(X, 1, prod))
