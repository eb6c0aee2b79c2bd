source("common.R"); source("lib/sp_oracles.R")
S <- sp_S()
pm(t(dml_rowIndexMax(S))); pm(t(dml_rowIndexMin(S))); pm(t(dml_rowIndexMax(abs(S))))
pm(t(dml_rowIndexMin(-abs(S)))); pm(t(dml_rowIndexMax(-abs(S)))); pm(t(dml_rowIndexMin(abs(S))))
pm(t(dml_rowIndexMax(t(S)))); pm(t(dml_rowIndexMin(t(S))))
X <- matrix(0, 4, 6); X[1, 6] <- -1; X[2, 1] <- -1; X[3, 3] <- 2; X[3, 5] <- 2; X[4, 2] <- -5; X[4, 4] <- -5
pm(t(dml_rowIndexMax(X))); pm(t(dml_rowIndexMin(X)))
