source("common.R")
X <- dml_matrix(c(1, NaN, -Inf, 1), 2, 2)
pm(X); pm(is.nan(X) * 1); pm(is.nan(X) * 1); pm(is.nan(X) * 1); pm(is.infinite(X) * 1)
p(1); p(0); p(1)
