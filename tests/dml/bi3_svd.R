# tol: rtol=1e-8 atol=1e-10
source("common.R"); source("lib/bi3_oracles.R")
A <- dml_matrix(c(1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13), 4, 3); s <- dml_svd(A)
pm(s$U); pm(s$S); pm(s$V); pm(A); p(3, 3, 3, 4, 3); pm(dml_svd(t(A))$S); pm(t(A)); p(1, 3, -1)
