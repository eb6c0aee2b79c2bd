source("common.R"); source("lib/sp_oracles.R")
S <- sp_SN(); S[20, ] <- 0; S[, 10] <- 0
p(20, 10); ps(S); p(0); p(20, 10, 0); p(6, 4, 0); p(9, 9, 1)
