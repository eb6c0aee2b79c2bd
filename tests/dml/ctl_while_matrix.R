source("common.R")
A <- dml_matrix(c(4, 1, 0, 1, 3, 1, 0, 1, 2), 3, 3)
v <- matrix(1, 3, 1)
for (it in 1:30) { w <- A %*% v; v <- w / sqrt(sum(w^2)) }
pm(v); p(drop(t(v) %*% A %*% v)); p(30)
