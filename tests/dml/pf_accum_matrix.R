# R oracle of pf_accum_matrix.dml (the same values computed sequentially).
source("common.R")
X <- dml_matrix(1:60, 20, 3) / 10 - 2
B <- dml_matrix(c(1, -2, 3, 0.5, 0, -1), 2, 3)
A <- dml_matrix(1:6, 2, 3) + sum(1:20) * B
pm(A)
pm(t(X) %*% X)
pm(row_vec(colMeans(X)))
C <- matrix(1, 2, 3)
for (i in 1:30) {
  if (i %% 4 == 0) C <- C + B * (i / 4)
  if (i %% 5 == 0) C <- C + 0.5
}
pm(C)
pm(dml_matrix(c(0, -1, 2, 0, 5, -6), 2, 3))
nr <- 200; nc <- 300
Y <- dml_matrix(1:(nr * nc), nr, nc)
S <- matrix(0, nr, nc)
for (k in 1:6) S <- S + (Y %% (23 * k) == 0) * k
p(sum(S))
p(sum(S != 0))
p(sum(S * Y) / 1000)
