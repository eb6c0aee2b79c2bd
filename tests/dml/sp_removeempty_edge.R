source("common.R"); source("lib/sp_oracles.R")
p(1, 10, 20, 1, 0, 10, 20, 0); pm(matrix(0, 1, 10)); p(0, 10, 20, 1); p(1, 1, 1, 0, 3); p(0, 3, 0, 0)
S <- dml_matrix(1:200, 20, 10); S <- S * (S %% 7 == 0); pm(S[2, , drop = FALSE])
