source("common.R")

f <- function(args = list()) length(args)
p(f()); p(f(list(1, 2, 3)))
g <- function(L) sum(L[["W"]]) + L[["b"]]
p(g(list(W = matrix(2, 2, 2), b = 0.5)))
h <- function(x) list(sq = x * x, half = x / 2)
r <- h(3); p(r[["sq"]]); p(r[["half"]])
