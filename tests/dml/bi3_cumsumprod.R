source("common.R"); source("lib/bi3_oracles.R")
pm(dml_cumsumprod(dml_matrix(c(1, 0, 0, 1, 5, 0, 0, 1, 0, 1, 3, 0), 6, 2))); pm(2)
pm(dml_cumsumprod(dml_matrix(c(1, 0.5, 2, 0.5, 3, 0.5, 4, 0.5), 4, 2)))
pm(dml_cumsumprod(dml_matrix(c(1, 9, NaN, 2, 3, 0, 4, 1), 4, 2))); p(0, 1)
