source("common.R")
source("lib/nn_data.R")
N <- 4; D <- 5
S <- gen(N, D, 7, 13, 29, 101) * 4
G <- gen(N, D, 11, 2, 5, 23)
P <- t(apply(S, 1, function(s) exp(s) / sum(exp(s))))
pm(P)
pm(rowSums(P))
pm(P)
# dscores[i,] = J_i^T G[i,] with the Jacobian J_i = diag(p) - p p^T
dS <- t(sapply(1:N, function(i) { pr <- P[i, ]; drop(t(diag(pr) - pr %o% pr) %*% G[i, ]) }))
pm(dS)
p(TRUE)
