source("common.R")
R1 <- dml_matrix(1:12, 3, 4); pm(R1); pm(matrix(1:12, 3, 4)); pm(matrix(as.vector(R1), 1))
pm(dml_matrix(as.vector(R1), 2, 6))
