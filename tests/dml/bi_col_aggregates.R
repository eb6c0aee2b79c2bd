source("common.R")
X <- dml_matrix(c(3, -1.5, 2, 8, 0.25, -4, 7, 1, 5.5, 2, -3, 6), 4, 3)

pm(row_vec(colSums(X))); pm(row_vec(colMeans(X))); pm(row_vec(apply(X, 2, var)))
pm(row_vec(apply(X, 2, max))); pm(row_vec(apply(X, 2, min))); pm(row_vec(apply(X, 2, sd)))
pm(row_vec(apply(X, 2, prod))); p(1, 3)
