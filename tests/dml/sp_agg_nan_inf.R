source("common.R"); source("lib/sp_oracles.R")
S <- sp_S(); S[8, 2] <- Inf; S[12, 9] <- -Inf
p(sum(S), mean(S), min(S), max(S), prod(S))
pm(rowSums(S)); pm(row_vec(colSums(S))); pm(dml_rowMaxs(S)); pm(dml_colMins(S)); pm(rowMeans(S))
pm(dml_colVars(S))
S[3, 4] <- NaN
p(sum(S), mean(S), min(S), max(S), dml_var(S))
pm(rowSums(S)); pm(row_vec(colSums(S))); pm(dml_rowMaxs(S)); pm(dml_rowMins(S)); pm(dml_colMaxs(S))
pm(dml_colMins(S)); pm(dml_rowVars(S))
