# tol: rtol=1e-13, atol=1e-15
source("common.R")
X <- outer(1:6, 1:3, function(i, j) (((i*j*7 + i*13 + j*29) %% 101) / 101 - 0.5) * 20)
pm(1 / (1 + exp(-X)))
p(1 / (1 + exp(-0.75))); p(1 / (1 + exp(3))); p(1 / (1 + exp(-2)))
