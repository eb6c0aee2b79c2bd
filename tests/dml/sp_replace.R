source("common.R"); source("lib/sp_oracles.R")
S <- sp_SN()
rep_ <- function(M, pat, r) { if (is.nan(pat)) M[is.nan(M)] <- r else M[!is.nan(M) & M == pat] <- r; M }
pm(rep_(S, 0, -1)); ps(rep_(S, NaN, 0)); ps(rep_(S, Inf, 1000)); ps(rep_(S, -Inf, NaN)); ps(rep_(S, -28, 0))
ps(rep_(S, 77, -77)); ps(S); pm(matrix(2.5, 3, 4)); p("|"); p(0, 4)
