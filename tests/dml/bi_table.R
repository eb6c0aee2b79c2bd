source("common.R")
A <- c(1, 2, 2, 3, 1, 3); B <- c(1, 1, 2, 2, 1, 1)
T <- matrix(0, 3, 2); for (k in 1:6) T[A[k], B[k]] <- T[A[k], B[k]] + 1; pm(T)
pm(tabulate(A)); pm(dml_matrix(c(0, 1, 1, 0, 0, 1), 3, 2))
