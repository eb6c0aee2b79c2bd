source("common.R"); source("lib/sp_oracles.R"); source("lib/bi3_oracles.R")
S <- abs(sp_S()); S <- (S %% 3) * (S != 0)
p(length(unique(as.vector(S)))); pm(t(dml_distinct(as.vector(S))))
pm(t(apply(S, 1, function(r) length(unique(r))))); pm(t(apply(S, 2, function(r) length(unique(r)))))
pm(dml_unique_rows(S[1:6, ])); pm(dml_unique_cols(S[, 1:4]))
X <- matrix(0, 8, 3); X[2, 2] <- NaN; X[5, 2] <- NaN; X[7, 3] <- -Inf
p(3, 1, 1); pm(t(dml_distinct(as.vector(X)))); p(0)
