source("common.R"); source("lib/sp_oracles.R")
S <- sp_S(); S[4, ] <- -(1:10) - 0.5; S[9, ] <- 1:10 + 0.25; S[, 2] <- (1:20) / 4 + 1
pm(t(dml_rowMaxs(S))); pm(t(dml_rowMins(S))); pm(t(dml_rowProds(S))); pm(t(dml_rowIndexMax(S))); pm(t(dml_rowIndexMin(S)))
pm(dml_colMins(S)); pm(dml_colMaxs(S)); pm(dml_colProds(S)); pm(t(cumprod(S[, 2]))); pm(t(cummin(-S[, 2])))
pm(t(dml_rowVars(S))); pm(matrix(S[4, ] * S[9, ], 1)); p(min(S[4, ]), max(S[4, ]), min(S[9, ]), max(S[, 2]), prod(S[9, ]))
