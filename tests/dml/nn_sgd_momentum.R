source("common.R")
source("lib/nn_optim_data.R")
# heavy-ball: X_{k+1} = X_k - lr_k dX_k + mu (X_k - X_{k-1}), velocity = X_{k+1} - X_k
mu <- 0.9; Xprev <- X
for (s in list(list(dX1, 0.1), list(dX2, 0.05))) {
  Xn <- X - s[[2]] * s[[1]] + mu * (X - Xprev); Xprev <- X; X <- Xn
  pm(X); pm(X - Xprev)
}
