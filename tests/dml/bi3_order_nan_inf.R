source("common.R"); source("lib/bi3_oracles.R")
x <- matrix(c(3, NaN, -Inf, 1, Inf, NaN, 0, -2), ncol = 1)
pm(dml_order(x, 1)); pm(dml_order_idx(x, 1)); pm(dml_order(x, 1, TRUE)); pm(dml_order_idx(x, 1, TRUE))
Y <- dml_matrix(c(1, NaN, 1, 2, 1, NaN, 0, 5), 4, 2); pm(dml_order_idx(Y, c(1, 2)))
