# tol: rtol=1e-12, atol=1e-15
source("common.R")
S <- outer(1:5, 1:4, function(i, j) (((i*j*7 + i*13 + j*29) %% 101) / 101 - 0.5) * 8)
S[2, ] <- S[2, ] + 1000; S[4, ] <- S[4, ] - 800
P <- t(apply(S, 1, function(s) { e <- exp(s - max(s)); e / sum(e) }))
pm(P); pm(rowSums(P))
