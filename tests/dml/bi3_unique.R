source("common.R"); source("lib/bi3_oracles.R")
X <- dml_matrix(c(3, 1, 3, NaN, 2, 1, 0, NaN, 2, 2, 5, 1), 3, 4)
pm(dml_distinct(cells(X))); pm(dml_unique_rows(X)); pm(dml_unique_cols(X)); pm(7)
pm(matrix(1:3, 1, 3)); pm(c(-Inf, 0, Inf)); p(0, 1)
