source("common.R")
source("lib/nn_optim_data.R")
# per-coordinate step lr / (sqrt(sum of squared gradients so far) + eps)
hist <- list()
for (s in list(list(dX1, 0.1), list(dX2, 0.05))) {
  hist[[length(hist) + 1]] <- s[[1]]
  G2 <- Reduce(`+`, lapply(hist, function(g) g^2))
  X <- X - s[[2]] * s[[1]] / (sqrt(G2) + 1e-3)
  pm(X); pm(G2)
}
