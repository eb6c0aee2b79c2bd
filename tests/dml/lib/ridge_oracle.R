# ridge_oracle.R - the closed-form ridge regression on the design of lm's icpt options, for
# the oracles of tests/dml/alg_lm.R, alg_lmDS.R and alg_steplm.R (source("common.R") first).
#
# icpt 0: X; 1: [X, 1]; 2: [standardised X, 1] (zero-variance columns only centred) with the
# coefficients transformed back to the raw features. The intercept is not penalised.
ridge <- function(X, y, icpt, reg) {
  D <- ncol(X)
  if (icpt == 2) {
    mu <- colMeans(X); sdv <- apply(X, 2, sd)
    sdv[sdv == 0] <- 1
    A <- cbind(scale(X, center = mu, scale = sdv), 1)
  } else if (icpt == 1) A <- cbind(X, 1) else A <- X
  lam <- rep(reg, ncol(A)); if (icpt > 0) lam[ncol(A)] <- 0
  b <- solve(crossprod(A) + diag(lam, ncol(A)), crossprod(A, y))
  if (icpt == 2) b <- c(b[1:D] / sdv, b[D + 1] - sum(b[1:D] * mu / sdv))
  as.vector(b)
}
