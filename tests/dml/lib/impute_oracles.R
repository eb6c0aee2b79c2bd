# impute_oracles.R - NaN imputation per column by a statistic of the non-NaN cells, or by
# the mode of the positive cells (mask 1; ties: the largest value), for the oracles
# tests/dml/alg_imputeByMean.R and alg_imputeByMedian.R (source("common.R") first).
mode_of <- function(x) {
  x <- x[!is.nan(x) & x > 0]
  t <- table(x); f <- as.numeric(names(t))
  max(f[t == max(t)])
}
# returns the imputed X and the value of every column
imp <- function(X, mask, stat) {
  v <- sapply(seq_len(ncol(X)), function(j)
    if (mask[j] == 1) mode_of(X[, j]) else stat(X[!is.nan(X[, j]), j]))
  for (j in seq_len(ncol(X))) X[is.nan(X[, j]), j] <- v[j]
  list(X = X, v = v)
}
