# tol: rtol=1e-6, atol=1e-9
source("common.R")
n <- 80; m <- 4
X <- outer(1:n, 1:m, function(i, j) ((i*j*7 + i*13 + j*29) %% 101) / 101 - 0.5)
X[, 4] <- 0.3
X[, 2] <- 2 * X[, 2] + 1
noise <- outer(1:n, 1:3, function(i, j) ((i*17 + j*5) %% 11) / 11 - 0.5)
Wt <- dml_matrix(c(2, -1, 0, -1, 1, 0, 1, 1, -2, 1, -3, 1), m, 3)
Y <- as.vector(dml_rowIndexMax(X %*% Wt + 1.5 * noise)) - 1
Yc <- ifelse(Y <= 0, max(Y) + 1, Y)
K <- max(Yc)
Y1 <- outer(Yc, 1:K, "==") * 1

# penalised multinomial NLL, baseline = last class; lam: per-row penalty
mlr_opt <- function(X, lam) {
  D <- ncol(X); Km <- K - 1
  Bm <- function(b) matrix(b, D, Km)
  probs <- function(B) { Z <- cbind(X %*% B, 0); E <- exp(Z - apply(Z, 1, max)); E / rowSums(E) }
  f <- function(b) {
    B <- Bm(b); Z <- cbind(X %*% B, 0); zm <- apply(Z, 1, max)
    sum(zm + log(rowSums(exp(Z - zm)))) - sum(Y1 * Z) + 0.5 * sum(lam * B^2)
  }
  g <- function(b) { B <- Bm(b); P <- probs(B)
    as.vector(t(X) %*% (P[, 1:Km] - Y1[, 1:Km]) + lam * B) }
  b <- optim(rep(0, D * Km), f, g, method = "BFGS",
             control = list(reltol = 1e-14, maxit = 100000))$par
  # polish with exact Newton steps
  for (it in 1:5) {
    P <- probs(Bm(b)); H <- matrix(0, D * Km, D * Km)
    for (a in 1:Km) for (c in 1:Km) {
      w <- P[, a] * ((a == c) - P[, c])
      H[(a - 1) * D + 1:D, (c - 1) * D + 1:D] <- t(X) %*% (w * X) + (a == c) * diag(lam, D)
    }
    b <- b - solve(H, g(b))
  }
  Bm(b)
}

# icpt = 0
B0 <- mlr_opt(X[, 1:3], rep(0.5, 3))
p(paste(nrow(B0), ncol(B0))); pm(B0)

# icpt = 2: standardise (sample sd, zero sd -> 1), fit, transform back
mu <- colMeans(X); sdv <- apply(X, 2, sd); sdv[sdv == 0] <- 1
Xs <- cbind(sweep(sweep(X, 2, mu), 2, sdv, "/"), 1)
Bs <- mlr_opt(Xs, c(rep(1, m), 0))
B2 <- rbind(Bs[1:m, ] / sdv, Bs[m + 1, ] - colSums(mu / sdv * Bs[1:m, ]))
p(paste(nrow(B2), ncol(B2))); pm(B2)

# icpt = 1
B1 <- mlr_opt(cbind(X[, 1:3], 1), c(rep(0.1, 3), 0))
pm(B1)

pred <- function(Xt, B) {
  LT <- Xt %*% B[1:ncol(Xt), , drop = FALSE]
  if (nrow(B) == ncol(Xt) + 1) LT <- LT + matrix(B[nrow(B), ], nrow(Xt), ncol(B), byrow = TRUE)
  E <- cbind(exp(LT), 1); E / rowSums(E)
}
M <- pred(X[1:10, ], B2); yh <- dml_rowIndexMax(M)
pm(M); pm(t(yh)); p(100 * mean(yh == Yc[1:10]))
M0 <- pred(X[1:10, 1:3], B0)
pm(M0); pm(t(dml_rowIndexMax(M0)))
