source("common.R"); source("lib/sp_oracles.R")
S <- sp_SN(); S[2, 4] <- 0.1
p(20, 10); ps(S)
p(20, 10, 0); p(7, 3, 0); p(9, 9, -2.5); p(9, 9)
