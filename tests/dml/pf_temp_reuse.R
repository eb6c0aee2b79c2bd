# R oracle of pf_temp_reuse.dml (the same values computed sequentially).
source("common.R")
X <- dml_matrix(1:20, 5, 4)
pm(row_vec(rowSums(X) * 2))
pm(row_vec(colSums(X) / 5))
