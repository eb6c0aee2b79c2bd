source("common.R"); source("lib/sp_oracles.R")
X <- dml_matrix(1:1200000, 3000, 400); X <- (X %% 997 == 0) * (X %% 2 - 0.5) * (X / 997)
p(sum(X != 0), sum(X), min(X), max(X)); cs <- colSums(X); rs <- rowSums(X)
p(sum(cs), sum(rs), sum(cs != 0), sum(rs != 0)); v <- (1:400) / 400; u <- (1:3000) / 3000
p(sum(X %*% v), sum(t(u) %*% X), t(u) %*% X %*% v); G <- t(X) %*% X
p(sum(G), sum(diag(G)), sum(G != 0)); p(400, 3000, sum(X != 0), sum(X[, 400]))
R <- X[rowSums(X != 0) > 0, , drop = FALSE]; p(nrow(R), 400, sum(R))
pm(t(dml_rowIndexMax(X[1:10, ]))); B <- X[1001:1500, 101:150]; p(sum(B != 0), sum(B))
ps(X[2990:3000, 391:400]); p("|")
