# tol: rtol=1e-8 atol=1e-10
source("common.R"); source("lib/bi3_oracles.R")
A <- dml_matrix(c(2, -1, 0, -1, 2, -1, 0, -1, 2), 3, 3); e <- dml_eigen(A); pm(e$values); pm(e$vectors)
X <- sqrt(dml_matrix(1:20, 5, 4)); S <- t(X) %*% X; e <- dml_eigen(S); pm(e$values); pm(e$vectors); pm(S)
pm(-4); pm(1); e <- dml_eigen(diag(c(5, -1, 3))); pm(e$values); pm(e$vectors)
