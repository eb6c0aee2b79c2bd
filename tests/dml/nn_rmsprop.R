source("common.R")
gen <- function(N, D, a, b, c, m) outer(1:N, 1:D, function(i, j) ((i * j * a + i * b + j * c) %% m) / m - 0.5)
X <- gen(3, 4, 7, 13, 29, 101) * 2
dX1 <- gen(3, 4, 5, 3, 11, 37)
dX2 <- gen(3, 4, 11, 2, 5, 23) * 3
p(3, 4, 0)
# cache_k = sum_i (1 - rho) rho^(k - i) g_i^2 (exponentially weighted, from 0)
rho <- 0.9; gs <- list(dX1, dX2); lrs <- c(0.1, 0.05)
for (k in 1:2) {
  C2 <- Reduce(`+`, lapply(1:k, function(i) (1 - rho) * rho^(k - i) * gs[[i]]^2))
  X <- X - lrs[k] * gs[[k]] / (sqrt(C2) + 1e-3)
  pm(X); pm(C2)
}
