# tol: rtol=1e-5, atol=1e-8
source("common.R")
m <- 10; n <- 7
X <- outer(1:m, 1:n, function(i, j) 1 + ((i*j*7 + i*13 + j*29) %% 101) / 50 + i * j / 10)
# (1) min 1/2||X - UV||^2 + lam/2 (||U||^2 + ||V||^2) over rank 2 = soft-thresholded SVD
lam <- 0.5
s <- svd(X); d <- pmax(s$d[1:2] - lam, 0)
M <- s$u[, 1:2] %*% diag(d) %*% t(s$v[, 1:2])
p(m, 2, 2, n)
p(0.5 * sum((X - M)^2) + lam * sum(d))
pm(M)
# (2)
for (it in 1:6) p(TRUE)
# (3) exact alternating least squares (per-row / per-column ridge solves), wL2 penalty
W <- outer(1:m, 1:n, function(i, j) ((i + 2*j) %% 7) != 0) * 1
Xm <- X * W
lu <- 0.1 * rowSums(W); lv <- 0.1 * colSums(W)
set.seed(1); U <- matrix(runif(m * 2) - 0.5, m); V <- matrix(runif(2 * n) - 0.5, 2)
for (it in 1:600) {
  for (r in 1:m) { w <- W[r, ] == 1; U[r, ] <- solve(V[, w] %*% t(V[, w]) + lu[r] * diag(2), V[, w] %*% Xm[r, w]) }
  for (c in 1:n) { w <- W[, c] == 1; Uw <- U[w, , drop = FALSE]; V[, c] <- solve(t(Uw) %*% Uw + lv[c] * diag(2), t(Uw) %*% Xm[w, c]) }
}
p(0.5 * sum(W * (Xm - U %*% V)^2) + 0.5 * (sum(U^2 * lu) + sum(t(t(V^2) * lv))))
pm(U %*% V)
