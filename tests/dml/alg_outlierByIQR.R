# tol: rtol=1e-10, atol=1e-12
source("common.R"); source("lib/outlier_oracles.R")
# per column: quartiles (type 1) of the non-NaN cells; outside [q1 - k iqr, q3 + k iqr]
oiqr <- function(X, k, rm, maxit) {
  r <- outlier_iter(X, rm, maxit, function(x) {
    v <- x[!is.nan(x)]
    q1 <- quantile(v, 0.25, type = 1, names = FALSE)
    q3 <- quantile(v, 0.75, type = 1, names = FALSE)
    iqr <- q3 - q1
    list(out = !is.nan(x) & ((x < q1 - k * iqr) | (x > q3 + k * iqr)), stats = c(q1, q3, iqr))
  })
  list(Y = r$Y, q = r$stats)
}
r <- oiqr(X, 1.5, 1, 0); pm(r$Y); pm(r$q); p(1.5, 1)
r <- oiqr(X, 1, 2, 0); pm(r$Y); pm(r$q)
r <- oiqr(X, 0.5, 0, 2); pm(r$Y); pm(r$q); p(0.5, 0)
