source("common.R")
oh <- function(x, k) { Y <- matrix(0, length(x), k); Y[cbind(seq_along(x), x)] <- 1; Y }
x <- c(2, 1, 4, 2, 3)
pm(oh(x, 4)); pm(oh(x, 6))
