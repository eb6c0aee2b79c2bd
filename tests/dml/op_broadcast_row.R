source("common.R")
X <- dml_matrix(1:12, 4, 3) * 1.5 - 4
rw <- function(v) matrix(v, nrow(X), ncol(X), byrow = TRUE)
r <- rw(c(1, -2, 0.5))
pm(X - rw(colMeans(X))); pm(X / rw(colSums(X))); pm(X * r); pm(X + r); pm(X^r)
pm((X == r) * 1); pm(pmax(X, r)); pm((X <= r) * 1)
