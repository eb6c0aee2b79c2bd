source("common.R"); source("lib/sp_oracles.R")
S <- sp_SN(); S[20, ] <- 0; S[, 10] <- 0
p(20, 10, 20, 10, 20, 10, 20, 10); ps(S); ps(S); ps(S); p(0); p(4, 3, 0)
