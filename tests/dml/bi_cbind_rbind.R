source("common.R")
A <- dml_matrix(1:4, 2, 2); B <- matrix(5:6, 2, 1); C <- dml_matrix(-(1:6), 2, 3)
pm(cbind(A, B)); pm(cbind(A, B, C)); pm(rbind(A, t(B))); pm(rbind(A, A, matrix(9, 1, 2)))
pm(cbind(A, B)); p(4, 3)
