source("common.R"); source("lib/sp_oracles.R")
S <- sp_S(); T <- sp_T()
pm(dml_cummin(S)); pm(dml_cummax(S)); ps(dml_cummax(T)); ps(dml_cummin(T)); ps(dml_cummin(-T)); pm(dml_cummax(T - 1))
