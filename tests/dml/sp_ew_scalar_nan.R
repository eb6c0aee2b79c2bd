source("common.R"); source("lib/sp_oracles.R")
S <- sp_S()[1:8, ]
rel <- function(M) { M <- M * 1; M[is.na(M)] <- 0; M }
pm(S * Inf); pm(S * -Inf); pm(S + NaN); ps(S / Inf); p("|"); pm(Inf / S); pm(S^NaN); pm(NaN^S)
pm(S + NaN); pm(pmax(S, Inf)); p("|"); pm(matrix(1, 8, 10)); pm(rel(S < Inf)); pm(dml_mod(S, Inf))
p(80, 0, 0)
