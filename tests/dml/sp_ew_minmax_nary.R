source("common.R"); source("lib/sp_oracles.R")
S <- sp_S(); T <- sp_T(); D <- sp_D()
pm(pmin(S, T, D)); pm(pmax(S, T, D)); ps(pmin(S, -T, 0)); ps(pmax(S, T, 0)); pm(pmax(S, T, -50, 60))
ps(pmin(T, S)); p(min(S), max(S), min(T), max(-T))
