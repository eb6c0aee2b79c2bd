source("common.R")
gen <- function(N, D, a, b, c, m) outer(1:N, 1:D, function(i, j) ((i * j * a + i * b + j * c) %% m) / m - 0.5)
X <- gen(3, 4, 7, 13, 29, 101) * 2
dX1 <- gen(3, 4, 5, 3, 11, 37)
dX2 <- gen(3, 4, 11, 2, 5, 23) * 3
p(3, 4, 0)
# heavy-ball: X_{k+1} = X_k - lr_k dX_k + mu (X_k - X_{k-1}), velocity = X_{k+1} - X_k
mu <- 0.9; Xprev <- X
for (s in list(list(dX1, 0.1), list(dX2, 0.05))) {
  Xn <- X - s[[2]] * s[[1]] + mu * (X - Xprev); Xprev <- X; X <- Xn
  pm(X); pm(X - Xprev)
}
