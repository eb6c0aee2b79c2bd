source("common.R")
A <- dml_matrix(1:12, 3, 4) / 3
B <- dml_matrix(c(1, -1, 2, 0.5, 0, 3, -2, 1), 4, 2)
v <- matrix(1:3, 3, 1); w <- matrix(c(4, -5, 6), 3, 1)
pm(A %*% B); pm(t(v) %*% w); pm(v %*% t(w)); pm(t(A) %*% A)
C <- dml_matrix(c(2, 1, 0, 1), 2, 2); pm(A %*% B %*% C); p(0)
