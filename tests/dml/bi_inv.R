# tol: rtol=1e-9 atol=1e-10
source("common.R")
A <- dml_matrix(c(2, 1, 0, 1, 3, 1, 0, 1, 4), 3, 3)
pm(solve(A)); pm(diag(3)); pm(solve(dml_matrix(c(0.5, 2, -1, 3), 2, 2)))
