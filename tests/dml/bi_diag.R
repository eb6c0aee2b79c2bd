source("common.R")
pm(diag(c(1, -2, 3.5))); pm(diag(dml_matrix(1:16, 4, 4) / 2)); p(0); p(4, 1)
