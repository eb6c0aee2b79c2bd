# tol: rtol=1e-9 atol=1e-11
source("common.R"); source("lib/bi3_oracles.R")
l <- dml_lu(dml_matrix(c(1, 2, 3, 4, 5, 6, 7, 8, 10), 3, 3)); pm(l$P); pm(l$L); pm(l$U); p(TRUE)
l <- dml_lu(dml_matrix(c(0, 2, 1, 1, 1, 1, 3, 0, -1, 4, 2, 2, 1, 1, 0, 5), 4, 4)); pm(l$P); pm(l$L); pm(l$U)
p(1, 1, 5)
