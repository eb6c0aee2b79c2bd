# nn_pool_oracles.R - max/avg pooling forward and backward by loops over R arrays, for
# tests/dml/nn_max_pool2d_builtin.R and nn_avg_pool2d_builtin.R (source("common.R") first).
# Prints P, Q, the pooled output and the input gradient of L = sum(out * G), then TRUE for
# the gradient check the DML side prints when `check`.
to_arr <- function(v, C, H, W) aperm(array(v, c(W, H, C)), c(3, 2, 1))
from_arr <- function(A) as.vector(aperm(A, c(3, 2, 1)))
pool_check <- function(type, X, C, H, W, Hf, Wf, sh, sw, ph, pw, check) {
  N <- nrow(X)
  P <- (H + 2 * ph - Hf) %/% sh + 1; Q <- (W + 2 * pw - Wf) %/% sw + 1
  p(P, Q)
  padv <- if (type == "max") -Inf else 0   # max ignores padding, avg counts it as 0
  out <- matrix(0, N, C * P * Q)
  G <- outer(1:N, 1:(C * P * Q), function(i, j) ((i * 3 + j) %% 7) / 7 - 0.4)
  dX <- matrix(0, N, C * H * W)
  for (n in 1:N) {
    A <- array(padv, c(C, H + 2 * ph, W + 2 * pw))
    A[, ph + 1:H, pw + 1:W] <- to_arr(X[n, ], C, H, W)
    dA <- array(0, dim(A)); O <- array(0, c(C, P, Q)); dO <- to_arr(G[n, ], C, P, Q)
    for (c in 1:C) for (pp in 1:P) for (q in 1:Q) {
      ri <- (pp - 1) * sh + 1:Hf; ci <- (q - 1) * sw + 1:Wf
      win <- matrix(A[c, ri, ci], Hf, Wf)
      if (type == "max") {
        O[c, pp, q] <- max(win)
        k <- which.max(as.vector(t(win))) - 1          # first maximum, row-major order
        r <- ri[k %/% Wf + 1]; s <- ci[k %% Wf + 1]
        dA[c, r, s] <- dA[c, r, s] + dO[c, pp, q]
      } else {
        O[c, pp, q] <- sum(win) / (Hf * Wf)
        dA[c, ri, ci] <- dA[c, ri, ci] + dO[c, pp, q] / (Hf * Wf)
      }
    }
    out[n, ] <- from_arr(O)
    dX[n, ] <- from_arr(dA[, ph + 1:H, pw + 1:W, drop = FALSE])
  }
  pm(out)
  pm(dX)
  if (check) p(TRUE)
}
