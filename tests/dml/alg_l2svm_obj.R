# tol: rtol=1e-12, atol=1e-12
source("common.R"); source("lib/svm_oracles.R")
n <- 60; m <- 4
X <- outer(1:n, 1:m, function(i, j) ((i*j*7 + i*13 + j*29) %% 101) / 101 - 0.5)
noise <- ((1:n * 17) %% 11) / 11 - 0.5
y <- ifelse(X %*% c(1, -2, 0.5, 1) + 0.6 * noise > 0, 1, -1)
for (lam in c(1, 0.1, 0.01)) { p(svm_opt(X, y, lam)$obj); p(svm_opt(cbind(X, 1), y, lam)$obj) }
