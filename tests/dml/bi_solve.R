# tol: rtol=1e-9 atol=1e-10
source("common.R")
A <- dml_matrix(c(4, -2, 1, -2, 4, -2, 1, -2, 4), 3, 3); b <- c(11, -16, 17)
x <- solve(A, b); pm(x); pm(c(0, 0, 0))
M <- dml_matrix(c(1, 1, 1, 2, 1, 3, 1, 4, 1, 5, 1, 6), 6, 2); y <- c(2.1, 3.9, 6.2, 7.8, 10.1, 12.2)
pm(qr.solve(M, y))
