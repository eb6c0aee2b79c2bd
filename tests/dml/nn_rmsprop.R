source("common.R")
source("lib/nn_optim_data.R")
# cache_k = sum_i (1 - rho) rho^(k - i) g_i^2 (exponentially weighted, from 0)
rho <- 0.9; gs <- list(dX1, dX2); lrs <- c(0.1, 0.05)
for (k in 1:2) {
  C2 <- Reduce(`+`, lapply(1:k, function(i) (1 - rho) * rho^(k - i) * gs[[i]]^2))
  X <- X - lrs[k] * gs[[k]] / (sqrt(C2) + 1e-3)
  pm(X); pm(C2)
}
