# tol: rtol=1e-10, atol=1e-12
source("common.R")
X <- outer(1:12, 1:4, function(i, j) ((i*j*7 + i*13 + j*29) %% 101) / 101 - 0.5 + i * j / 50)
pm(cor(X))
E <- dml_matrix(c(1, 2, 3, 4, 5, 6, 7, 8, 10, 9, 7, 1), 6, 2)
pm(cor(E))
