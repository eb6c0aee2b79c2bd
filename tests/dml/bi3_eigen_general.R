# tol: rtol=1e-8 atol=1e-10
source("common.R"); source("lib/bi3_oracles.R")
e <- dml_eigen(dml_matrix(c(3, 1, 2, 0, 1, 4, 0, 0, 2), 3, 3)); pm(e$values); pm(e$vectors); p(TRUE)
e <- dml_eigen(dml_matrix(c(4, 1, 2, 3), 2, 2)); pm(e$values); pm(e$vectors)
