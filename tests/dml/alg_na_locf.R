# tol: rtol=1e-10, atol=1e-12
source("common.R")
X <- dml_matrix(c(NaN, 1, NaN, NaN, NaN, NaN, 2, NaN, 3, NaN, NaN, NaN, NaN, 4, 0, NaN,
                  5, NaN, NaN, NaN, NaN, NaN, -1, NaN, NaN, 6, NaN, NaN), 7, 4)
fill <- function(x) {                   # forward fill, then leading from below
  y <- x; last <- NaN
  for (i in seq_along(y)) { if (is.nan(y[i])) y[i] <- last else last <- y[i] }
  nxt <- NaN
  for (i in rev(seq_along(y))) { if (!is.nan(x[i])) nxt <- x[i]; if (is.nan(y[i])) y[i] <- nxt }
  y
}
locf <- function(X) apply(X, 2, fill)
nocb <- function(X) apply(X, 2, function(x) rev(fill(rev(x))))
pm(locf(X)); pm(nocb(X)); pm(locf(X[, 2:3]))
pm(matrix(c(1, 2, 3), ncol = 1))
