# svm_oracles.R - the exact optimum of the l2svm primal objective, for the oracles of
# tests/dml/alg_l2svm*.R and alg_msvm.R (source("common.R") first).
#
# exact minimiser of 1/2 sum max(0, 1 - y Xw)^2 + reg/2 ||w||^2:
# BFGS to get close, then Newton on the active set until it is stable
svm_opt <- function(X, y, reg) {
  f <- function(w) 0.5 * sum(pmax(0, 1 - y * (X %*% w))^2) + reg / 2 * sum(w^2)
  g <- function(w) { o <- pmax(0, 1 - y * (X %*% w)); as.vector(-t(X) %*% (o * y) + reg * w) }
  w <- optim(rep(0, ncol(X)), f, g, method = "BFGS",
             control = list(reltol = 1e-16, maxit = 100000))$par
  for (it in 1:50) {
    A <- as.vector(1 - y * (X %*% w) > 0)
    XA <- X[A, , drop = FALSE]
    wn <- solve(t(XA) %*% XA + reg * diag(ncol(X)), t(XA) %*% y[A])
    if (all(as.vector(1 - y * (X %*% wn) > 0) == A)) { w <- wn; break }
    w <- wn
  }
  list(w = as.vector(w), obj = f(w))
}
