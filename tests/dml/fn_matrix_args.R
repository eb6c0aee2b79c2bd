# tol: rtol=1e-9 atol=1e-9
source("common.R")
X <- dml_matrix(1:12, 4, 3)^1.5
mu <- colMeans(X)
pm(X - matrix(mu, 4, 3, byrow = TRUE)); pm(matrix(mu, 1)); pm(matrix(X[1, ], 1))
