source("common.R")
A <- dml_matrix(1:4, 2, 2); B <- dml_matrix(c(2, 0, 1, 3), 2, 2); C <- dml_matrix(c(1, 1, 0, 2), 2, 2)
pm(A * (B %*% C)); pm(dml_mod(A %*% B, 3)); pm(-2 * (A %*% t(A))); pm(A %*% B + C * 2.1)
pm(A + B %*% C); pm(dml_intdiv(A %*% B, C)); pm(A / (B %*% C))
