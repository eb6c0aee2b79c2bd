# tol: rtol=1e-10, atol=1e-12
source("common.R")
n <- 20
X <- outer(1:n, 1:3, function(i, j) ((i*j*7 + i*13 + j*29) %% 101) / 101 - 0.5)
y <- X %*% c(1, -2, 0.5) + 0.3 + ((1:n * 17) %% 11) / 50
fit <- function(X, y, icpt, reg) {
  Xd <- if (icpt > 0) cbind(X, 1) else X
  L <- diag(reg, ncol(Xd)); if (icpt > 0) L[ncol(Xd), ncol(Xd)] <- 0
  as.vector(solve(t(Xd) %*% Xd + L, t(Xd) %*% y))
}
loss <- function(X, y, B) {
  yhat <- X %*% B[1:ncol(X)]; if (length(B) > ncol(X)) yhat <- yhat + B[length(B)]
  sum((y - yhat)^2)
}
pad <- function(b, k) c(b, rep(0, k - length(b)))
# configurations, last parameter fastest
grid <- function(vals) {
  g <- expand.grid(rev(vals)); as.matrix(g[, rev(seq_along(vals)), drop = FALSE])
}
search <- function(HP, run, numB) {
  res <- lapply(seq_len(nrow(HP)), function(i) run(HP[i, ]))
  L <- sapply(res, function(r) r$loss)
  ix <- max(which(L == min(L)))
  list(B = pad(res[[ix]]$B, numB), opt = HP[ix, ])
}
HP <- grid(list(c(0.001, 0.1, 10), c(0, 1)))
r <- search(HP, function(h) { B <- fit(X, y, h[2], h[1]); list(B = B, loss = loss(X, y, B)) }, 4)
pm(r$B); pm(row_vec(r$opt))
HP1 <- grid(list(c(100, 0.5, 3)))
r <- search(HP1, function(h) { B <- fit(X, y, 0, h[1]); list(B = B, loss = loss(X, y, B)) }, 3)
pm(r$B); pm(row_vec(r$opt))
folds <- list(1:6, 7:12, 13:20)
r <- search(HP, function(h) {
  Bs <- matrix(0, 4, 1); ls <- 0
  for (f in folds) {
    B <- fit(X[-f, ], y[-f], h[2], h[1])
    Bs <- Bs + pad(B, 4); ls <- ls + loss(X[f, ], y[f], B)
  }
  list(B = Bs / 3, loss = ls / 3)
}, 4)
pm(r$B); pm(row_vec(r$opt))
HPt <- grid(list(c(1, 2, 3), c(1, 2), c(5, 6)))
r <- search(HPt, function(h) list(B = h, loss = as.numeric(h[1] + h[2] != 4)), 4)
pm(row_vec(r$B)); p(3); pm(row_vec(r$opt))
