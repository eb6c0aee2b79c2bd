source("common.R")
n <- 20000
i <- 1:n
j <- 1:30
X <- (outer(i * 37, j * 11, "+") %% 101) / 101 - 0.5
w <- ((i * 13) %% 7) - 2
pm(crossprod(X, X * w) / 1000)
M <- (outer(i * 5, (1:8) * 3, "+") %% 9) / 9 - 0.25
pm(crossprod(X, M) / 1000)
M2 <- cbind(M, M[, 1:4] * i / n)
pm(crossprod(X, M2) / 1000)
S <- X * (outer(i, j, "+") %% 5 == 0)
pm(crossprod(S, S * w) / 1000)
pm(crossprod(S, M) / 1000)
