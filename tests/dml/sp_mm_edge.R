source("common.R"); source("lib/sp_oracles.R")
p("|"); p(0, 20, 6); p(0); p(-6); p(0, 2); pm(matrix(0, 4, 2)); p(2, 0)
S <- dml_matrix(1:200, 20, 10); S <- S * (S %% 7 == 0); S[5, ] <- 0; S[, 3] <- 0
S[3, 1] <- NaN; S[7, 10] <- Inf
D <- dml_matrix(1:60, 10, 6) / 8 + 0.0625
pm(S %*% D)
