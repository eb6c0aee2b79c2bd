source("common.R")
A <- matrix(5, 4, 2); A[, 1] <- 0; pm(A)
pm(diag(c(2, 4, 6)))
