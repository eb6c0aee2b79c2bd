source("common.R"); source("lib/sp_oracles.R")
S <- sp_S(); cv <- as.vector(sp_cv()); dv <- 1:20 - 10.5
# R recycles a length-20 vector down the columns = DML's column broadcast
ps(S * cv); pm(S + cv); pm(S - dv); pm(S / dv); ps(S * dv); pm(S > cv)
pm(pmin(S, cv)); pm(pmax(S, dv)); pm(S / rowSums(abs(S))); pm(S - rowMeans(S))
