# tol: rtol=1e-10, atol=1e-12
source("common.R"); source("lib/outlier_oracles.R")
# per column: mean and sd of the non-NaN, non-zero cells; outside [m - k sd, m + k sd]
obsd <- function(X, k, rm, maxit) {
  r <- outlier_iter(X, rm, maxit, function(x) {
    ok <- !is.nan(x) & x != 0
    v <- x[ok]
    m <- mean(v); s <- if (length(v) > 1) sd(v) else NaN
    list(out = ok & ((x < m - k * s) | (x > m + k * s)), stats = c(m, s))
  })
  list(Y = r$Y, ms = r$stats)
}
r <- obsd(X, 2, 1, 0); pm(r$Y); pm(r$ms); p(2, 1)
r <- obsd(X, 1.5, 2, 0); pm(r$Y); pm(r$ms)
r <- obsd(X, 1.5, 0, 2); pm(r$Y); pm(r$ms)
r <- obsd(X, 3, 1, 1); pm(r$Y); p(3, 1)
