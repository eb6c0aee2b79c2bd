source("common.R")
X <- dml_matrix(1:12, 4, 3) * 0.5
pm(dml_rev(X)); pm(5:1); pm(t(X)); pm(X); pm(matrix(1:4, 1))
