# tol: rtol=1e-12, atol=1e-12
source("common.R")
n <- 60; m <- 4
X <- outer(1:n, 1:m, function(i, j) ((i*j*7 + i*13 + j*29) %% 101) / 101 - 0.5)
noise <- ((1:n * 17) %% 11) / 11 - 0.5
y <- ifelse(X %*% c(1, -2, 0.5, 1) + 0.6 * noise > 0, 1, -1)
svm_obj <- function(X, y, reg) {
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
  f(w)
}
for (lam in c(1, 0.1, 0.01)) { p(svm_obj(X, y, lam)); p(svm_obj(cbind(X, 1), y, lam)) }
