# tol: rtol=1e-9, atol=1e-11
source("common.R")
n <- 40; D <- 5; i <- 1:n
X <- (outer(i, 1:D) * 7 + outer(i * 13, (1:D) * 29, "+")) %% 101 / 101 - 0.5
X[, 2] <- X[, 2] + 0.2
y <- X %*% c(1, -1, 2, 0.5, -0.3) + 0.4 + ((i * 17) %% 13) / 13

design <- function(X, icpt) {
  if (icpt == 2) {
    mu <- colMeans(X); sdv <- apply(X, 2, sd)
    list(A = cbind(scale(X, center = mu, scale = sdv), 1), mu = mu, sdv = sdv)
  } else if (icpt == 1) list(A = cbind(X, 1)) else list(A = X)
}
back <- function(b, d, icpt) {
  D <- ncol(X)
  if (icpt == 2) c(b[1:D] / d$sdv, b[D + 1] - sum(b[1:D] * d$mu / d$sdv)) else as.vector(b)
}
lam <- function(A, icpt, reg) { l <- rep(reg, ncol(A)); if (icpt > 0) l[ncol(A)] <- 0; l }
ridge <- function(icpt, reg) {
  d <- design(X, icpt); A <- d$A
  back(solve(crossprod(A) + diag(lam(A, icpt, reg)), crossprod(A, y)), d, icpt)
}
# plain CG from 0 on (A'A + diag(lambda)) b = A'y
cg <- function(icpt, reg, tol, maxi) {
  d <- design(X, icpt); A <- d$A; l <- lam(A, icpt, reg)
  if (maxi == 0) maxi <- ncol(A)
  b <- rep(0, ncol(A)); r <- -as.vector(crossprod(A, y)); p <- -r
  nr2 <- sum(r^2); target <- tol^2 * nr2; it <- 0
  while (it < maxi && nr2 > target) {
    q <- as.vector(crossprod(A, A %*% p)) + l * p
    alpha <- nr2 / sum(p * q)
    b <- b + alpha * p; r <- r + alpha * q
    old <- nr2; nr2 <- sum(r^2); p <- -r + (nr2 / old) * p; it <- it + 1
  }
  back(b, d, icpt)
}
for (ic in 0:2) pm(matrix(ridge(ic, 1e-7), nrow = 1))
pm(matrix(ridge(1, 0.3), nrow = 1))
for (ic in 0:2) {
  pm(matrix(cg(ic, 0.1, 1e-7, 2), nrow = 1))
  pm(matrix(cg(ic, 0.1, 1e-2, 0), nrow = 1))
}
