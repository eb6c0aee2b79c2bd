# R oracle of pf_merge_zero_init.dml (the same values computed sequentially).
source("common.R")
n <- 15; m <- 6
Z <- matrix(0, n, m)
for (i in 1:n) Z[i, ] <- ((1:m) %% 3 != 0) * (i %% 4) * (1:m)
pm(Z)
p(0)
D <- matrix(0, n, n)
for (i in 1:n) if (i %% 5 != 0) { D[i, i] <- -i; if (i < n) D[i, i + 1] <- i / 2 }
pm(D)
W <- matrix(0, 4, 40)
for (j in 1:40) if (j %% 7 != 0) W[, j] <- (1:4) * (20 - j)
pm(W[, 1:10])
p(sum(W))
p(sum(W != 0))
p(sum(W * dml_matrix(1:160, 4, 40)))
N <- matrix(0, 3, 3)
for (i in 1:3) { N[i, 4 - i] <- NaN; N[i, 1] <- i }
pm(N)
