source("common.R")

X <- dml_matrix(1:24, 6, 4)^1.3 / 10
Z <- scale(X); attributes(Z) <- list(dim = dim(Z))
pm(Z); pm(row_vec(c(0, 0, 0, 0))); pm(row_vec(c(1, 1, 1, 1))); pm(row_vec(colMeans(X)))
