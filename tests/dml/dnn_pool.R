source("common.R"); source("lib/dnn_oracles.R")
X <- dml_matrix(sin((1:100) * 1.3), 2, 50)
d <- dml_matrix(1:36, 2, 18) / 10
m <- pool_r(X, d, "max", 2, 5, 5, 3, 3, 2, 2, 1, 1); a <- pool_r(X, d, "avg", 2, 5, 5, 3, 3, 2, 2, 1, 1)
pm(m$out); pm(a$out); pm(m$dX); pm(a$dX)
Z <- X * (X > 0.5); d2 <- dml_matrix(1:16, 2, 8)
m2 <- pool_r(Z, d2, "max", 2, 5, 5, 2, 2, 2, 2, 0, 0); a2 <- pool_r(Z, d2, "avg", 2, 5, 5, 2, 2, 2, 2, 0, 0)
pm(m2$out); pm(m2$dX); pm(a2$dX)
