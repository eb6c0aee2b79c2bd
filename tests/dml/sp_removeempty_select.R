source("common.R"); source("lib/sp_oracles.R")
S <- sp_S(); pm(S[c(5, 10, 15, 20), ]); pm(S[c(7, 20), ]); ps(S[, c(1, 3, 5, 7, 9)]); p(0, 20)
pm(t(which(S[, 1] != 0)))
