source("common.R")
X <- dml_matrix(1:12, 4, 3) / 7 - 0.5
Y <- X
X <- X * 2 + 1
p(sum(Y))
pm(X)
L <- list(X)
X <- exp(-X)
pm(L[[1]])
pm(X)
f <- function(A) { A <- A * 3 - 1; A }
B <- f(X)
p(sum(X))
p(sum(B))
C <- f(X + 1)
p(sum(C))
p(sum(X))
W <- X
for (i in 1:4) {
  X <- X * i + i
  X <- X + W
}
pm(W)
pm(X)
