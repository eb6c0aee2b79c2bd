source("common.R"); source("lib/sp_oracles.R")
X <- matrix(0, 6, 4); X[2, 1] <- NaN; X[3, 2] <- Inf; X[5, 2] <- -Inf; X[4, 3] <- 2; X[6, 4] <- -Inf
pm(dml_cumsum(X)); pm(dml_cumprod(X + 1)); pm(dml_cummin(X)); pm(dml_cummax(X))
p(0, 0, NaN, -Inf); pm(matrix(0, 5, 3)); p(0, 4)
