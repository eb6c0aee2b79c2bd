# tol: rtol=1e-10, atol=1e-12
source("common.R")
n <- 10
X <- outer(1:n, 1:3, function(i, j) ((i*j*7 + i*13 + j*29) %% 101) / 101 - 0.5)
X[, 3] <- c(1, 1, 1, 1, 1, 1, 1, 1, 1, 9)
rs <- function(X) {
  med <- apply(X, 2, median)
  q1 <- apply(X, 2, quantile, probs = 0.25, type = 1, names = FALSE)
  q3 <- apply(X, 2, quantile, probs = 0.75, type = 1, names = FALSE)
  iqr <- q3 - q1; iqr[iqr == 0] <- 1
  list(Y = sweep(sweep(X, 2, med), 2, iqr, "/"), med = med, q1 = q1, q3 = q3)
}
r <- rs(X)
pm(r$Y); pm(row_vec(r$med)); pm(row_vec(r$q1)); pm(row_vec(r$q3))
pm(rs(X[1:7, ])$Y)
