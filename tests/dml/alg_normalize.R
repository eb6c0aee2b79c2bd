# tol: rtol=1e-10, atol=1e-12
source("common.R")
n <- 7
X <- outer(1:n, 1:3, function(i, j) ((i*j*7 + i*13 + j*29) %% 101) / 101 - 0.5)
X[, 2] <- -3
mn <- apply(X, 2, min); mx <- apply(X, 2, max)
rg <- mx - mn; rg[rg == 0] <- 1
pm(sweep(sweep(X, 2, mn), 2, rg, "/"))
pm(row_vec(mn)); pm(row_vec(mx))
Xn <- X * 3 - 0.25
pm(sweep(sweep(Xn, 2, mn), 2, rg, "/"))
