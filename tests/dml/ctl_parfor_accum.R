source("common.R")
pm(1 + 55 * dml_matrix(1:4, 2, 2))
