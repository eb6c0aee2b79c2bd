# R oracle of pf_dense_nan_partial.dml (the same values computed sequentially).
source("common.R")
A <- dml_matrix(1:30, 6, 5)
A[1, 3] <- NaN; A[2, 3] <- NaN; A[5, 3] <- NaN; A[4, 1] <- NaN; A[6, 5] <- NaN; A[5, 2] <- NaN
for (i in 1:6) {
  A[i, 1] <- NaN
  A[i, 3] <- i * 10
  if (i %% 2 == 0) A[i, 5] <- 0
}
pm(A)
p(sum(is.nan(A)))
B <- matrix(2.5, 8, 3)
for (i in 1:8) if (i %% 3 == 1) B[i, 2] <- NaN
pm(B)
P <- dml_matrix(1:40, 10, 4) - 20
P[7, ] <- NaN
for (i in 1:10) if (i %% 3 == 1) P[i, ] <- (1:4) * (i - 4)
pm(P)
p(sum(is.nan(P)))
Q <- dml_matrix(1:6, 2, 3)
Q[, 3] <- 0
pm(Q)
