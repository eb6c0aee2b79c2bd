# tol: rtol=1e-9 atol=1e-11
source("common.R"); source("lib/bi3_oracles.R")
p(det(matrix(c(4, 7, 2, 6), 2, byrow = TRUE))); p(-1); p(0)
p(det(dml_matrix(1:9, 3, 3) + diag(c(1, 2, 3)))); p(-2.5); p(NaN)
p(det(sqrt(dml_matrix(1:25, 5, 5)) + diag(5)))
