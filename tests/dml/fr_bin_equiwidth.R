source("common.R")
v <- c(1, 2.5, 4, 7, 10, 3, 8.5, 5.5, 9.999, 1.001)
ew <- function(v, k) {
  lo <- min(v); w <- (max(v) - lo) / k
  # cut() with right-closed intervals and the lowest value included
  as.numeric(cut(v, breaks = lo + (0:k) * w, include.lowest = TRUE, labels = FALSE))
}
pm(ew(v, 3))
pm(ew(v, 5))
