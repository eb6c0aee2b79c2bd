source("common.R"); source("lib/sp_oracles.R")
S <- sp_S(); T <- sp_T(); B <- dml_matrix(1:60, 10, 6) / 8 - 3; A <- dml_matrix(1:80, 4, 20) / 16 - 2
pm(S %*% B); pm(A %*% S); pm(S %*% t(T)); pm(t(S) %*% T); ps(T %*% t(S)); pm(S[1:10, ] %*% T[11:20, ])
pm(matrix(0, 20, 3)); p(sum(S %*% B), sum(A %*% S))
