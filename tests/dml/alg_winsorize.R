# tol: rtol=1e-10, atol=1e-12
source("common.R")
n <- 15
X <- outer(1:n, 1:3, function(i, j) ((i*j*7 + i*13 + j*29) %% 101) / 101 - 0.5 + i / 4)
X[3, 2] <- 9
X[7, 3] <- NaN
wins <- function(X, ql, qu) {
  Xz <- X; Xz[is.nan(Xz)] <- 0
  lo <- apply(Xz, 2, quantile, probs = ql, type = 1, names = FALSE)
  hi <- apply(Xz, 2, quantile, probs = qu, type = 1, names = FALSE)
  Y <- X
  for (j in seq_len(ncol(X))) Y[, j] <- pmin(pmax(X[, j], lo[j]), hi[j])
  list(Y = Y, lo = lo, hi = hi)
}
r <- wins(X, 0.1, 0.85)
pm(r$Y); pm(row_vec(r$lo)); pm(row_vec(r$hi))
r <- wins(X[, 1:2], 0.05, 0.95)
pm(r$Y); pm(row_vec(c(r$lo, r$hi)))
