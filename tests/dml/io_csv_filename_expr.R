source("common.R")
pm(dml_matrix(1:4, 2, 2) * 0.5)
