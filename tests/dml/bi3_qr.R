# tol: rtol=1e-8 atol=1e-10
source("common.R"); source("lib/bi3_oracles.R")
q <- dml_qr(dml_matrix(c(1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13), 4, 3)); pm(q$H); pm(q$R)
q <- dml_qr(dml_matrix(c(2, -1, 1, 4, 1, 0, -3, 2, 5), 3, 3)); pm(q$H); pm(q$R)
q <- dml_qr(dml_matrix(1:6, 2, 3)); pm(q$H); pm(q$R); p(-4, 2)
