# tol: rtol=1e-8 atol=1e-9
# R oracle of pf_usage_perclass_cv.dml (the same values computed sequentially).
source("common.R")
n <- 60; d <- 4
X <- dml_matrix(1:(n * d), n, d)
X <- sin(X * 0.37) + cos(X * 0.11) * 0.5
y <- ((1:n) * 7) %% 3 + 1
k <- max(y); lambda <- 0.01
w <- matrix(0, d, k); mu <- matrix(0, k, d)
for (c in 1:k) {
  Y <- (y == c) * 2 - 1
  w[, c] <- solve(t(X) %*% X + diag(lambda, d), t(X) %*% Y)
  mu[c, ] <- colSums(X * (y == c)) / sum(y == c)
}
pm(w)
pm(mu)
pred <- dml_rowIndexMax(X %*% w)
p(sum(pred == y))
tt <- X %*% c(1, -2, 0.5, 3) + (1:n) / n
folds <- 5
mse <- numeric(folds); nte <- numeric(folds)
for (f in 1:folds) {
  te <- ((1:n) - 1) %% folds == f - 1
  Xtr <- X[!te, , drop = FALSE]; ttr <- tt[!te]
  Xte <- X[te, , drop = FALSE]; tte <- tt[te]
  beta <- solve(t(Xtr) %*% Xtr + diag(lambda, d), t(Xtr) %*% ttr)
  mse[f] <- mean((Xte %*% beta - tte)^2)
  nte[f] <- nrow(Xte)
}
pm(mse * 1000)
pm(row_vec(nte))
p(mean(mse) * 1000)
