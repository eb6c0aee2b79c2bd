source("common.R"); source("lib/sp_oracles.R")
X <- matrix(0, 5, 4); X[1, 2] <- NaN; X[2, 1] <- NaN; X[2, 3] <- -Inf; X[3, 4] <- Inf; X[3, 1] <- NaN
X[4, ] <- NaN; X[5, 3] <- -Inf
pm(t(dml_rowIndexMax(X))); pm(t(dml_rowIndexMin(X))); pm(matrix(1, 1, 3)); pm(matrix(1, 1, 3)); p(0, 1)
