source("common.R"); source("lib/sp_oracles.R")
S <- sp_S() / 7
pm(t(S) %*% S); ps(S %*% t(S)); G <- t(S) %*% S; p(0, sum(G))
su <- as.vector(sp_cv()); sv <- as.vector(sp_rv())
ps(su %*% t(sv)); pm(t(su) %*% su); pm(sv %*% t(sv))
