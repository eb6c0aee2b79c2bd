# tol: rtol=1e-10, atol=1e-12
source("common.R")
stats_na <- function(x) {
  na <- is.nan(x); n <- length(x); k <- sum(na)
  r <- rle(na); g <- r$lengths[r$values]
  if (k == 0) return(c(n, 0, 0, 0, 0, 0, 0, 0))
  tb <- table(g); sz <- as.numeric(names(tb)); cnt <- as.numeric(tb)
  c(n, k, k / n, length(g), mean(g), max(g),
    sz[which.max(cnt)], sz[which.max(cnt * sz)])
}
pm(stats_na(c(1, NaN, NaN, 4, NaN, 6, NaN, NaN, NaN, 2, NaN, NaN, 3, NaN, 5, NaN, NaN, 1, 1, NaN)))
pm(stats_na(c(NaN, NaN, 3, NaN, 1, NaN, NaN, NaN, 2, NaN, 7)))
pm(stats_na(c(1, 2, 3)))
pm(stats_na(rep(NaN, 4)))
