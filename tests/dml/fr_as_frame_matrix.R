source("common.R")
M <- dml_matrix(1:12, 4, 3) / 7 + 0.5
p(4, 3)
pm(M * 2 - M)
p(M[3, 2])
