# tol: rtol=1e-9, atol=1e-11
source("common.R")
n <- 30; D <- 1030; i <- 1:n
X <- (outer(i, 1:D) * 7 + outer(i * 13, (1:D) * 29, "+")) %% 101 / 101 - 0.5
y <- ((i * i * 3 + i * 11) %% 53) / 53 - 0.5
A <- cbind(X, 1); l <- c(rep(1, D), 0)
cg <- function(maxi) {
  b <- rep(0, ncol(A)); r <- -as.vector(crossprod(A, y)); p <- -r; nr2 <- sum(r^2)
  for (it in 1:maxi) {
    q <- as.vector(crossprod(A, A %*% p)) + l * p
    alpha <- nr2 / sum(p * q); b <- b + alpha * p; r <- r + alpha * q
    old <- nr2; nr2 <- sum(r^2); p <- -r + (nr2 / old) * p
  }
  b
}
B <- cg(3)
p(length(B)); pm(matrix(B[1:6], nrow = 1)); pm(matrix(B[(D - 2):(D + 1)], nrow = 1)); p(sum(B))
B <- as.vector(solve(crossprod(A) + diag(l), crossprod(A, y)))
pm(matrix(B[1:6], nrow = 1)); pm(matrix(B[(D - 2):(D + 1)], nrow = 1)); p(sum(B))
