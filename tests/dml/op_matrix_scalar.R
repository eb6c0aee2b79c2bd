source("common.R")
X <- dml_matrix(c(1, -2, 3.5, 4, 0, -6), 2, 3)

pm(X + 2); pm(X - 1.5); pm(10 - X); pm(X * -3); pm(X / 4); pm(1 / X); pm(X^2); pm(2^X)
pm(-X); pm(0.5 * X + 1)
