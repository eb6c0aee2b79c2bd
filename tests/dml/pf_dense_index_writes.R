# R oracle of pf_dense_index_writes.dml (the same values computed sequentially).
source("common.R")
n <- 12; m <- 7
X0 <- dml_matrix(1:(n * m), n, m) / 4 + 1
R <- X0
for (i in 1:n) R[i, ] <- if (i %% 3 == 0) 0 else (1:m) * i + 0.25
pm(R)
C <- X0
for (j in 1:m) C[, j] <- if (j %% 2 == 0) 0 else X0[, j] * -j
pm(C)
E <- X0
for (i in 1:n) for (j in 1:m) if (j == (i %% m) + 1)
  E[i, j] <- if ((i + j) %% 2 == 1) 0 else 100 + i * j
pm(E)
B <- X0
for (i in 1:n) B[i, 2:4] <- i - 6
pm(B)
D <- X0
for (k in 1:(n * m)) {
  r <- (k - 1) %/% m + 1; c <- (k - 1) %% m + 1
  if (k %% 5 == 0) D[r, c] <- 0
  if (k %% 5 == 1) D[r, c] <- -k
}
pm(D)
p(sum(D == 0))
