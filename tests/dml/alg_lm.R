# tol: rtol=1e-10, atol=1e-12
source("common.R")
n <- 50; D <- 4
i <- 1:n
X <- (outer(i, 1:D) * 7 + outer(i * 13, (1:D) * 29, "+")) %% 101 / 101 - 0.5
noise <- ((i * i * 3 + i * 11) %% 53) / 53 - 0.5
y <- X %*% c(1.5, -2, 0.5, 3) + 0.7 + 0.3 * noise

# ridge on the design of icpt 0/1/2; intercept unpenalised, icpt 2 back-transformed
ridge <- function(X, y, icpt, reg) {
  D <- ncol(X)
  if (icpt == 2) {
    mu <- colMeans(X); sdv <- apply(X, 2, sd)
    A <- cbind(scale(X, center = mu, scale = sdv), 1)
  } else if (icpt == 1) A <- cbind(X, 1) else A <- X
  lam <- rep(reg, ncol(A)); if (icpt > 0) lam[ncol(A)] <- 0
  b <- solve(crossprod(A) + diag(lam), crossprod(A, y))
  if (icpt == 2) b <- c(b[1:D] / sdv, b[D + 1] - sum(b[1:D] * mu / sdv))
  as.vector(b)
}
for (ic in 0:2) {
  B <- ridge(X, y, ic, 1e-7)
  p(paste0("icpt ", ic, " rows ", length(B)))
  pm(matrix(B, nrow = 1))
}
for (ic in 0:2) pm(matrix(ridge(X, y, ic, 0.5), nrow = 1))
pm(matrix(lm.fit(cbind(X, 1), y)$coefficients, nrow = 1))
