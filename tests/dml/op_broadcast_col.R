source("common.R")
X <- dml_matrix(1:12, 3, 4) / 4 - 1
v <- c(2, -0.5, 4)
V <- matrix(v, nrow(X), ncol(X))
pm(X + V); pm(X - V); pm(X * V); pm(X / V); pm(X^V); pm((X > V) * 1)
pm(pmin(X, V)); pm(pmax(X, V)); pm(dml_mod(X, V))
