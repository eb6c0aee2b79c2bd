source("common.R"); source("lib/bi3_oracles.R")
pm(4); pm(1); pm(c(3, 1, 2)); p(0, 2); p(0, 1)
X <- dml_matrix(c(1, 9, 2, 8, 3, 7), 3, 2); pm(dml_order(X, 2)); pm(dml_order_idx(X, 2, TRUE))
