source("common.R")
A <- dml_matrix(1:6, 2, 3) / 2; B <- dml_matrix(7:12, 2, 3) / 4; C <- matrix(-1, 2, 3)
pm(rbind(A, B, C)); pm(cbind(A, B, C)); p(sum(A) + sum(B) + sum(C))
