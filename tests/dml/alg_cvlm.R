# tol: rtol=1e-10, atol=1e-12
source("common.R")
n <- 53; D <- 3; i <- 1:n
X <- (outer(i, 1:D) * 7 + outer(i * 13, (1:D) * 29, "+")) %% 101 / 101 - 0.5
y <- as.vector(X %*% c(1.5, -2, 0.5) + 0.7 + 0.3 * (((i * i * 3 + i * 11) %% 53) / 53 - 0.5))
cv <- function(k, icpt, reg) {
  fs <- n %/% k; yp <- y; betas <- NULL
  for (f in 1:k) {
    test <- ((f - 1) * fs + 1):(f * fs); train <- setdiff(1:n, test)
    A <- if (icpt == 1) cbind(X[train, ], 1) else X[train, ]
    lam <- rep(reg, ncol(A)); if (icpt == 1) lam[ncol(A)] <- 0
    b <- as.vector(solve(crossprod(A) + diag(lam), crossprod(A, y[train])))
    At <- if (icpt == 1) cbind(X[test, ], 1) else X[test, ]
    yp[test] <- At %*% b
    betas <- rbind(betas, b)
  }
  pm(matrix(yp, nrow = 1)); pm(betas)
}
cv(5, 0, 1e-7)
cv(4, 1, 0.1)
