source("common.R")
pred <- function(X, C) {
  D <- outer(rowSums(X^2), rep(1, nrow(C))) - 2 * X %*% t(C) + outer(rep(1, nrow(X)), rowSums(C^2))
  dml_rowIndexMin(D)
}
C <- dml_matrix(c(0, 0, 2, 0, 0, 2, 2, 2), 4, 2)
X <- dml_matrix(c(1, 0, 1, 1, 0, 1, 0.5, 0.25, 2, 1.5, 3, 3, -1, 1, 1, 2, 1.75, 0.25), 9, 2)
pm(t(pred(X, C)))
Z <- outer(1:20, 1:3, function(i, j) ((i*j*7 + i*13 + j*29) %% 101) / 101 - 0.5)
pm(t(pred(Z, Z[3:7, ])))
