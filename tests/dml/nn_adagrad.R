source("common.R")
gen <- function(N, D, a, b, c, m) outer(1:N, 1:D, function(i, j) ((i * j * a + i * b + j * c) %% m) / m - 0.5)
X <- gen(3, 4, 7, 13, 29, 101) * 2
dX1 <- gen(3, 4, 5, 3, 11, 37)
dX2 <- gen(3, 4, 11, 2, 5, 23) * 3
p(3, 4, 0)
# per-coordinate step lr / (sqrt(sum of squared gradients so far) + eps)
hist <- list()
for (s in list(list(dX1, 0.1), list(dX2, 0.05))) {
  hist[[length(hist) + 1]] <- s[[1]]
  G2 <- Reduce(`+`, lapply(hist, function(g) g^2))
  X <- X - s[[2]] * s[[1]] / (sqrt(G2) + 1e-3)
  pm(X); pm(G2)
}
