source("common.R"); source("lib/sp_oracles.R"); source("lib/bi3_oracles.R")
S <- dml_matrix(1:200, 20, 10); S <- S * (S %% 7 == 0); S[5, ] <- 0; S[, 3] <- 0
X <- cbind(S[, 1] / 7, (S[, 8] != 0) * 0.5); pm(t(dml_cumsumprod(X)))
Y <- cbind(S[, 7] / 7, S[, 4] / 14); pm(t(dml_cumsumprod(Y)))
pm(matrix(0, 1, 8))
Z <- matrix(0, 6, 2); Z[2, 1] <- NaN; Z[3, 2] <- 1; Z[4, 1] <- 3; pm(t(dml_cumsumprod(Z))); p(0)
