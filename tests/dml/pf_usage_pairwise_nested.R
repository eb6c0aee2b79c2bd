# tol: rtol=1e-9 atol=1e-11
# R oracle of pf_usage_pairwise_nested.dml (the same values computed sequentially).
source("common.R")
n <- 30; m <- 6
X <- dml_matrix(1:(n * m), n, m)
X <- sin(X * 0.13) * ((1:n) %% 4 + 1) + cos(X * 0.7)
pm(cor(X))
p(0)
U <- cov(X)
U[lower.tri(U)] <- 0
pm(U)
