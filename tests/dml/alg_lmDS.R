# tol: rtol=1e-10, atol=1e-12
source("common.R"); source("lib/ridge_oracle.R")
n <- 30; i <- 1:n
X3 <- (outer(i, 1:3) * 7 + outer(i * 13, (1:3) * 29, "+")) %% 101 / 101 - 0.5
X <- cbind(X3[, 1:2], 0.25, X3[, 3])
y <- ((i * i * 5 + i * 7) %% 41) / 41 + 2 * X3[, 1]
pm(matrix(ridge(X3, y, 1, 1e-7), nrow = 1))
pm(matrix(ridge(X3, y, 1, 0.25), nrow = 1))
pm(matrix(ridge(X, y, 2, 1e-7), nrow = 1))
pm(matrix(ridge(X, y, 2, 0.25), nrow = 1))
pm(matrix(ridge(X, y, 0, 1e-7), nrow = 1))
pm(matrix(ridge(X, y, 0, 0.25), nrow = 1))
