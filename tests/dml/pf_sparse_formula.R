# R oracle of pf_sparse_formula.dml (the same values computed sequentially).
source("common.R")
nr <- 200; nc <- 300
X <- dml_matrix(1:(nr * nc), nr, nc)
S <- (X %% 23 == 0) * (X / 23)
S <- S * ((1:nr) %% 10 != 0)
p(sum(S != 0))
P <- S
for (i in 1:nr) {
  if (i %% 10 == 0) { P[i, (i %% nc) + 1] <- i; P[i, 7] <- -i }
  else if (i %% 4 == 0) P[i, ] <- 0
  else if (i %% 4 == 1) { c <- 23 - ((i - 1) * nc) %% 23; P[i, c] <- 0; P[i, 1] <- i + 0.5 }
  else if (i %% 4 == 2) P[i, ] <- S[i, ] * 2
}
p(0)
p(sum(P != 0))
p(sum(P))
p(sum(P * X) / 1000)
pm(row_vec(rowSums(P)))
pm(row_vec(colSums(P[, 1:30])))
Q <- S
for (i in 1:nr) for (j in seq(i %% 37 + 1, nc, 37)) Q[i, j] <- i - j
p(sum(Q != 0))
p(sum(Q))
p(sum(Q * X) / 1000)
