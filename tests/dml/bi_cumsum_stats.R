source("common.R")

x <- c(3, 1, 4, 1, 5, 9, 2, 6, 5, 3)
pm(matrix(cumsum(x), 1)); pm(matrix(cumsum(x) / (1:10), 1)); p(var(x)); p(sd(x)); pm(matrix(cumprod(x / 3), 1))
