# tol: rtol=1e-10, atol=1e-12
source("common.R")
X <- dml_matrix(c(1.5, 2, NaN, 4, NaN, 3, 1, 4, 2.5, NaN, 1, NaN, 4, 3, 2, 2, NaN, 2, NaN, 2,
                  -1, 5, 2, NaN, 7, 1, 3, 8), 7, 4)
mode_of <- function(x) {
  x <- x[!is.nan(x) & x > 0]
  t <- table(x); f <- as.numeric(names(t))
  max(f[t == max(t)])
}
imp <- function(X, mask) {
  v <- sapply(seq_len(ncol(X)), function(j)
    if (mask[j] == 1) mode_of(X[, j]) else median(X[!is.nan(X[, j]), j]))
  for (j in seq_len(ncol(X))) X[is.nan(X[, j]), j] <- v[j]
  list(X = X, v = v)
}
r <- imp(X, c(0, 1, 0, 0)); pm(r$X); pm(row_vec(r$v))
r <- imp(X, c(0, 0, 1, 0)); pm(row_vec(r$v))
