# tol: rtol=1e-6, atol=1e-9
source("common.R"); source("lib/svm_oracles.R")
n <- 60; m <- 3
X <- outer(1:n, 1:m, function(i, j) ((i*j*7 + i*13 + j*29) %% 101) / 101 - 0.5)
noise <- outer(1:n, 1:4, function(i, j) ((i*17 + j*5) %% 11) / 11 - 0.5)
Wt <- dml_matrix(c(1, -1, 0, -10, 0.5, 2, 0, -1, -2, 0, 0, 1), m, 4)
Y <- as.vector(dml_rowIndexMax(X %*% Wt + 0.4 * noise))
Y <- Y + (Y == 3)
p("classes", sum(Y == 1), sum(Y == 2), sum(Y == 3), sum(Y == 4))
X[5, 2] <- 0

ovr <- function(X, Y, K, reg) {
  W <- matrix(-Inf, ncol(X), K)
  for (c in 1:K) if (any(Y == c)) W[, c] <- svm_opt(X, ifelse(Y == c, 1, -1), reg)$w
  W
}
W1 <- ovr(cbind(X, 1), Y, 4, 0.5)
p(paste(nrow(W1), ncol(W1)))
pm(W1)
W2 <- ovr(X, Y, 4, 1)
pm(W2)
Wp <- W1[, c(1, 2, 4)]
R1 <- X[1:8, ] %*% Wp[1:m, ] + matrix(Wp[m + 1, ], 8, 3, byrow = TRUE)
pm(R1); pm(t(dml_rowIndexMax(R1)))
R2 <- X[1:8, ] %*% W2[, 1:2]
pm(R2); pm(t(dml_rowIndexMax(R2)))
