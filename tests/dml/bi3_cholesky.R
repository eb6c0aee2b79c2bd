# tol: rtol=1e-9 atol=1e-11
source("common.R"); source("lib/bi3_oracles.R")
A <- dml_matrix(c(4, 12, -16, 12, 37, -43, -16, -43, 98), 3, 3); pm(t(chol(A)))
X <- sqrt(dml_matrix(1:20, 5, 4)); S <- t(X) %*% X + diag(4); pm(t(chol(S))); p(TRUE)
pm(3); pm(diag(c(2, 1, 0.5)))
