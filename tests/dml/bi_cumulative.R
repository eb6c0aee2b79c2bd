source("common.R")
X <- dml_matrix(c(1, 2, -3, 4, 0.5, 6, 7, -8, 9, 1, 1, 1), 4, 3)
pm(dml_cumsum(X)); pm(dml_cumprod(X)); pm(cumsum(1:6))
