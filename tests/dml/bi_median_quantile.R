source("common.R")
x <- c(5, 1, 4, 2, 3, 9, 7); y <- c(5, 1, 4, 2, 3, 9, 7, 8)
q <- function(v, pr) { s <- sort(v); n <- length(s); s[min(max(ceiling(pr * n), 1), n)] }
p(median(x)); p(median(y)); p(q(x, 0.25)); p(q(y, 0.5)); p(q(y, 0.9))
pm(sapply(c(0.1, 0.5, 1), function(pr) q(x, pr)))
