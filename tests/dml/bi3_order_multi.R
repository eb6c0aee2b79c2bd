source("common.R"); source("lib/bi3_oracles.R")
X <- dml_matrix(c(2, 1, 9, 1, 5, 8, 2, 1, 7, 1, 3, 6, 2, 0, 5, 1, 5, 4), 6, 3)
pm(dml_order(X, c(1, 2))); pm(dml_order(X, c(1, 2), TRUE)); pm(dml_order_idx(X, c(2, 1)))
pm(dml_order_idx(X, c(1, 2), TRUE)); pm(dml_order_idx(X, 3, TRUE)); pm(dml_order(X, c(2, 3)))
