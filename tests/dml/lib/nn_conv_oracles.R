# nn_conv_oracles.R - conv2d forward and backward (dX, dW, db of L = sum(out * G)) by loops
# over R arrays, for tests/dml/nn_conv2d_builtin*.R (source("common.R") first); the inputs
# are the formulas of the DML side's gen().
source("lib/nn_data.R")
# NCHW row <-> array A[c, h, w]
to_arr <- function(v, C, H, W) aperm(array(v, c(W, H, C)), c(3, 2, 1))
from_arr <- function(A) as.vector(aperm(A, c(3, 2, 1)))
conv_check <- function(N, C, H, W, F, Hf, Wf, sh, sw, ph, pw) {
  X <- gen(N, C * H * W, 7, 13, 29, 101)
  Wt <- gen(F, C * Hf * Wf, 5, 3, 11, 37)
  b <- gen(F, 1, 3, 1, 7, 17)
  P <- (H + 2 * ph - Hf) %/% sh + 1; Q <- (W + 2 * pw - Wf) %/% sw + 1
  p(P, Q)
  K <- lapply(1:F, function(f) to_arr(Wt[f, ], C, Hf, Wf))
  pad <- function(v) { A <- array(0, c(C, H + 2 * ph, W + 2 * pw)); A[, ph + 1:H, pw + 1:W] <- to_arr(v, C, H, W); A }
  out <- matrix(0, N, F * P * Q)
  for (n in 1:N) {
    A <- pad(X[n, ]); O <- array(0, c(F, P, Q))
    for (f in 1:F) for (pp in 1:P) for (q in 1:Q)
      O[f, pp, q] <- b[f] + sum(A[, (pp - 1) * sh + 1:Hf, (q - 1) * sw + 1:Wf, drop = FALSE] * K[[f]])
    out[n, ] <- from_arr(O)
  }
  pm(out)
  G <- gen(N, F * P * Q, 11, 2, 5, 23)
  # adjoint: scatter each output gradient back over its window
  dX <- matrix(0, N, C * H * W); dK <- lapply(1:F, function(f) array(0, c(C, Hf, Wf))); db <- rep(0, F)
  for (n in 1:N) {
    A <- pad(X[n, ]); dA <- array(0, dim(A)); dO <- to_arr(G[n, ], F, P, Q)
    for (f in 1:F) for (pp in 1:P) for (q in 1:Q) {
      ri <- (pp - 1) * sh + 1:Hf; ci <- (q - 1) * sw + 1:Wf
      dA[, ri, ci] <- dA[, ri, ci, drop = FALSE] + dO[f, pp, q] * K[[f]]
      dK[[f]] <- dK[[f]] + dO[f, pp, q] * A[, ri, ci, drop = FALSE]
      db[f] <- db[f] + dO[f, pp, q]
    }
    dX[n, ] <- from_arr(dA[, ph + 1:H, pw + 1:W, drop = FALSE])
  }
  pm(dX)
  pm(t(sapply(1:F, function(f) from_arr(dK[[f]]))))
  pm(db)
  p(TRUE); p(TRUE); p(TRUE)
}
