source("common.R")
p(sum(diag(dml_matrix(1:9, 3, 3) / 4))); pm(dml_matrix(c(0, 1, 1, 0), 2, 2)); p(TRUE)
