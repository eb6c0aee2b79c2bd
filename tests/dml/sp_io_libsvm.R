source("common.R"); source("lib/sp_oracles.R")
S <- sp_S(); S[3, 4] <- NaN; S[8, 2] <- Inf; S[, 9] <- 0
p(20, 10); ps(S); p(0); p(5, 4, 0)
