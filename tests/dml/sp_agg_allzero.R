source("common.R"); source("lib/sp_oracles.R")
p(0, 0, 0, 0, 0, 0, 0, 0)
pm(matrix(0, 1, 20)); pm(matrix(0, 1, 10)); pm(matrix(0, 1, 10)); pm(matrix(10, 1, 20)); pm(matrix(10, 1, 20))
p(0, 0, 0, 0, 0, 0, 0, 0); pm(matrix(c(0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0), 1))
p(NaN, NaN, NaN, NaN, NaN); pm(matrix(c(NaN, NaN, 1, 1, NaN, NaN), 1))
O <- matrix(0, 20, 10); O[13, 7] <- -3.5
p(sum(O), mean(O), dml_var(O), min(O), max(O))
pm(t(dml_rowMins(O))); pm(dml_colMins(O)); pm(t(dml_rowIndexMin(O))); pm(t(dml_rowIndexMax(O)))
pm(dml_cumsum(O)[12:20, 7])
