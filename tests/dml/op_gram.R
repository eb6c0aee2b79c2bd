source("common.R")
n <- 9000
i <- 1:n
w <- ((i * 13) %% 7) - 2
s <- (i %% 11) / 11 - 0.3
for (p in 1:3) {
  k <- 8 * p + p - 1
  X <- (outer(i * 37, (1:k) * 11, "+") %% 101) / 101 - 0.5
  pm(crossprod(X, cbind(X * w, s, w)) / 1000)
  pm(crossprod(X, cbind(X * s, (i %% 5) / 5)) / 1000)
}
X <- (outer(i * 37, (1:12) * 11, "+") %% 101) / 101 - 0.5
S <- X * (outer(i, 1:12, "+") %% 5 == 0)
pm(crossprod(S, cbind(S * w, s, w)) / 1000)
