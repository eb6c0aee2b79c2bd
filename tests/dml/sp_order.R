source("common.R"); source("lib/sp_oracles.R"); source("lib/bi3_oracles.R")
S <- sp_S()
pm(t(dml_order_idx(S, 4))); pm(t(dml_order_idx(S, 4, TRUE))); pm(t(dml_order_idx(S, 3)))
pm(t(dml_order_idx(S, 3, TRUE))); ps(dml_order(S, 8))
pm(t(dml_order_idx(S, c(2, 9, 6)))); ps(dml_order(S, c(7, 1, 10), TRUE))
X <- S[, 1:2]; X[4, 1] <- NaN; X[9, 2] <- NaN
pm(t(dml_order_idx(X, 1))); pm(t(dml_order_idx(X, 2, TRUE)))
pm(matrix(1:6, 1)); pm(matrix(1:6, 1))
