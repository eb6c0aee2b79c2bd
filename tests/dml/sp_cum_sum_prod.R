source("common.R"); source("lib/sp_oracles.R")
S <- sp_S(); T <- sp_T()
pm(dml_cumsum(S)); ps(dml_cumsum(T)); ps(dml_cumprod(S)); pm(dml_cumprod(T + 1)); pm(dml_cumprod(1 + S / 200))
pm(t(dml_cumsum(sp_cv()))); pm(matrix(1:10, 1))
