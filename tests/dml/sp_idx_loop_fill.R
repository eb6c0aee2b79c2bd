source("common.R"); source("lib/sp_oracles.R")
X <- matrix(0, 30, 12)
for (i in 1:30) { j <- (i * 7) %% 12 + 1; X[i, j] <- i / 4; if (i %% 5 == 0) X[i, 12] <- -i }
ps(X); p(sum(X != 0), sum(X))
for (k in 1:6) { X[k, k] <- X[k, k] + 10; X[30, 1] <- X[30, 1] + 1 }
pm(X[1:6, 1:8]); p(X[30, 1], sum(X != 0))
for (i in seq(30, 1, -3)) X[i, ] <- 0
ps(X)
D <- dml_matrix(1:48, 6, 8); D[2:5, 3:6] <- X[1:4, 1:4]; pm(D)
