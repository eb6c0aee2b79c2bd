# tol: rtol=1e-10, atol=1e-12
source("common.R")
outl <- function(X, opposite) {
  mx <- apply(X, 2, max); mn <- apply(X, 2, min); m <- colMeans(X)
  far <- ifelse(mx - m > m - mn, mx, mn)
  near <- ifelse(mx - m > m - mn, mn, mx)
  row_vec(if (opposite) near else far)
}
X <- dml_matrix(c(1, 10, 5, 2, -1, 0, 3, 4, -2, 4, 6, 1, 50, 5, 2), 5, 3)
pm(outl(X, FALSE)); pm(outl(X, TRUE))
Z <- outer(1:11, 1:4, function(i, j) ((i*j*7 + i*13 + j*29) %% 101) / 101 - 0.5)
pm(outl(Z, FALSE)); pm(outl(Z, TRUE))
