source("common.R"); source("lib/sp_oracles.R")
S <- sp_S() != 0; T <- sp_T() != 0
ps(S & T); ps(S | T); ps(xor(S, T)); pm(!S); ps(S); ps(S); pm(S | TRUE); ps(S); pm(!S)
p(sum(S & T), sum(S | T), sum(xor(S, T)), sum(!S))
