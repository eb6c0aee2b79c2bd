source("common.R"); source("lib/sp_oracles.R")
S <- sp_S(); p(prod(S)); S[3, 4] <- NaN; p(prod(S)); pm(dml_rowProds(S)); pm(dml_colProds(S))
T <- S; T[3, 4] <- Inf; p(prod(T)); pm(t(dml_rowProds(T)))
