# tol: rtol=1e-10, atol=1e-12
source("common.R"); source("lib/impute_oracles.R")
X <- dml_matrix(c(1.5, 2, NaN, 4, NaN, 3, 1, 4, 2.5, NaN, 1, NaN, 4, 3, 2, 2, NaN, 2, NaN, 2,
                  -1, 5, 2, NaN, 7, 1, 3, 8), 7, 4)
r <- imp(X, stat=median, mask=c(0, 1, 0, 0)); pm(r$X); pm(row_vec(r$v))
r <- imp(X, stat=median, mask=c(0, 0, 1, 0)); pm(row_vec(r$v))
