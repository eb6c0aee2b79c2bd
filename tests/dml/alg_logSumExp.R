# tol: rtol=1e-12, atol=1e-9
source("common.R")
M <- outer(1:5, 1:4, function(i, j) (((i*j*7 + i*13 + j*29) %% 101) / 101 - 0.5) * 8)
lse <- function(v) { m <- max(v); m + log(sum(exp(v - m))) }
p(lse(M)); pm(apply(M, 1, lse)); pm(row_vec(apply(M, 2, lse)))
L <- M + 1000; L[3, ] <- L[3, ] - 3000
p(lse(L)); pm(apply(L, 1, lse)); pm(row_vec(apply(L, 2, lse)))
