source("common.R")
source("lib/nn_data.R")
N <- 6; D <- 3; eps <- 1e-5; mu <- 0.9
# init: gamma 1, beta 0, ema_mean 0, ema_var 1
pm(matrix(1, 1, D)); pm(matrix(0, 1, D)); pm(matrix(0, 1, D)); pm(matrix(1, 1, D))
X <- gen(N, D, 7, 13, 29, 101) * 3 + 1
gamma <- gen(1, D, 5, 3, 11, 37) + 1
beta <- gen(1, D, 3, 1, 7, 17)
em <- gen(1, D, 2, 5, 3, 13)
ev <- gen(1, D, 4, 1, 5, 11) + 1
G <- gen(N, D, 11, 2, 5, 23)
for (mode in c("train", "test")) {
  if (mode == "train") {
    mean <- colMeans(X); var <- apply(X, 2, var) * (N - 1) / N   # population variance
    emu <- mu * em + (1 - mu) * mean; evu <- mu * ev + (1 - mu) * var
  } else {
    mean <- drop(em); var <- drop(ev); emu <- em; evu <- ev
  }
  norm <- sweep(sweep(X, 2, mean), 2, sqrt(var + eps), "/")
  out <- sweep(sweep(norm, 2, drop(gamma), "*"), 2, drop(beta), "+")
  p(mode); pm(out); pm(row_vec(emu)); pm(row_vec(evu)); pm(row_vec(mean)); pm(row_vec(var)); pm(norm)
  # dX column by column through the explicit Jacobian d out[, j] / d X[, j]
  dX <- matrix(0, N, D)
  for (j in 1:D) {
    s <- sqrt(var[j] + eps)
    if (mode == "train") {
      J <- gamma[j] / s * (diag(N) - 1 / N - outer(norm[, j], norm[, j]) / N)
    } else {
      J <- gamma[j] / s * diag(N)
    }
    dX[, j] <- t(J) %*% G[, j]
  }
  pm(dX); pm(row_vec(colSums(G * norm))); pm(row_vec(colSums(G)))
  p(TRUE); p(TRUE)
}
