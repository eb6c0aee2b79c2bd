source("common.R")

x <- 5
f <- function(x) { x <- x + 100; x }
p(f(1)); p(x)
g <- function(M) { M[1, 1] <- 99; sum(M) }
A <- matrix(1, 2, 2); p(g(A)); p(sum(A))
tmp <- 7
h <- function(a) { tmp <- a * 2; tmp }
p(h(4)); p(tmp)
