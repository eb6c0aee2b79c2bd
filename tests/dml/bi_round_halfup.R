source("common.R")
pm(dml_round(dml_matrix(c(0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.49, -2.51, 3.7, -3.7, 10.5, 0), 3, 4)))
