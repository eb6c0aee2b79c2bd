source("common.R")

scale <- function(X, f = 2 * 1.5, k = ncol(X)) sum(X) * f + k
X <- matrix(1, 2, 3)
p(scale(X)); p(scale(X, 1)); p(scale(X, 0.5, 10))
p("d1", sum(matrix(2, 2, 2))); p("d1", 3)
