# tol: rtol=1e-7, atol=1e-7
# (atol: the formula sqrt(-2XX^T + s + s^T) leaves ~1e-8 on the diagonal for non-dyadic data)
source("common.R")
X <- outer(1:7, 1:3, function(i, j) ((i*j*7 + i*13 + j*29) %% 17) / 4 - 2)
pm(as.matrix(dist(X)))
Z <- outer(1:9, 1:4, function(i, j) ((i*j*7 + i*13 + j*29) %% 101) / 101 - 0.5)
pm(as.matrix(dist(Z)))
p(9, 9)
