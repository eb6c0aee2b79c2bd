source("common.R"); source("lib/sp_oracles.R")
S <- sp_S() / 7
ps(S^3); pm(S^0.5); pm(S^-1); pm(abs(S)^S); pm(1.5^S); pm(0^S); pm(S^S)
