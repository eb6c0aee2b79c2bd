source("common.R"); source("lib/sp_oracles.R")
S <- sp_S(); T <- sp_T(); D <- dml_matrix(1:40, 20, 2) / 4
C <- cbind(S, T); p(20, 20, nnz(C)); ps(C)
pm(cbind(S[1:4, ], D[1:4, ], matrix(0, 4, 2), T[1:4, ]))
R <- rbind(S, T, matrix(0, 3, 10)); p(43, 10, nnz(R)); ps(R)
pm(rbind(D[1:3, ], S[1:3, 1:2], matrix(0, 1, 2)))
p(0, 0, 10, 20); p(0, 5, 5, 0); ps(cbind(S[, 10], T[, 10]))
