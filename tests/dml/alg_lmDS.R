# tol: rtol=1e-10, atol=1e-12
source("common.R")
n <- 30; i <- 1:n
X3 <- (outer(i, 1:3) * 7 + outer(i * 13, (1:3) * 29, "+")) %% 101 / 101 - 0.5
X <- cbind(X3[, 1:2], 0.25, X3[, 3])
y <- ((i * i * 5 + i * 7) %% 41) / 41 + 2 * X3[, 1]
ridge <- function(X, y, icpt, reg) {
  D <- ncol(X)
  if (icpt == 2) {
    mu <- colMeans(X); sdv <- apply(X, 2, sd)
    sdv[sdv == 0] <- 1                       # zero-variance columns are only centred
    A <- cbind(scale(X, center = mu, scale = sdv), 1)
  } else if (icpt == 1) A <- cbind(X, 1) else A <- X
  lam <- rep(reg, ncol(A)); if (icpt > 0) lam[ncol(A)] <- 0
  b <- solve(crossprod(A) + diag(lam), crossprod(A, y))
  if (icpt == 2) b <- c(b[1:D] / sdv, b[D + 1] - sum(b[1:D] * mu / sdv))
  as.vector(b)
}
pm(matrix(ridge(X3, y, 1, 1e-7), nrow = 1))
pm(matrix(ridge(X3, y, 1, 0.25), nrow = 1))
pm(matrix(ridge(X, y, 2, 1e-7), nrow = 1))
pm(matrix(ridge(X, y, 2, 0.25), nrow = 1))
pm(matrix(ridge(X, y, 0, 1e-7), nrow = 1))
pm(matrix(ridge(X, y, 0, 0.25), nrow = 1))
