# tol: rtol=1e-9 atol=1e-10
# R oracle of pf_usage_colstats.dml (the same values computed sequentially).
source("common.R")
n <- 41; m <- 9
X <- dml_matrix(1:(n * m), n, m)
X <- (X * 37) %% 101 / 7 - ((1:n) %% 5) * 0.75
dml_quantile <- function(x, p) { s <- sort(x); s[min(max(ceiling(p * length(x)), 1), length(x))] }
dml_median <- function(x) {
  s <- sort(x); k <- length(x)
  if (k %% 2 == 1) s[ceiling(k / 2)] else (s[k / 2] + s[k / 2 + 1]) / 2
}
R <- matrix(0, 8, m)
for (j in 1:m) {
  x <- X[, j]
  R[, j] <- c(mean(x), sd(x), var(x), min(x), max(x), dml_quantile(x, 0.25),
              dml_median(x), sum(x > mean(x)))
}
pm(R)
Z <- X
for (j in 1:m) Z[, j] <- (X[, j] - dml_median(X[, j])) /
  (dml_quantile(X[, j], 0.75) - dml_quantile(X[, j], 0.25))
pm(row_vec(colSums(Z)))
pm(Z[1:5, ])
