source("common.R"); source("lib/sp_oracles.R")
S <- sp_SN()
ps(S); ps(S * 2); pm(S * 0); pm(S + 1); ps(S / 2)
# relational with NaN is 0 in DML (R gives NA)
rel <- function(M) { M <- M * 1; M[is.na(M)] <- 0; M }
pm(rel(S == S)); pm(1 - rel(S == S)); pm(rel(S > 0)); ps(rel(S == Inf))
pm(pmin(S, 1)); pm(pmax(S, -1)); pm(S - S)
pm(ifelse(is.nan(S), 1, S != 0)); pm(ifelse(is.nan(S), 0, S == 0)); pm(S^0); pm(dml_mod(S, 5))
