source("common.R")
X <- dml_matrix(c(1, 3, 3, 2, 0, 0, 0, 0, -1, -5, -1, -2, 4, 4, 4, 4, 7, 1, 7, 0, 2, 9, -9, 5), 6, 4)
pm(dml_rowIndexMax(X)); pm(dml_rowIndexMin(X))
N <- matrix(NaN, 2, 3); pm(dml_rowIndexMax(N)); pm(dml_rowIndexMin(N))
