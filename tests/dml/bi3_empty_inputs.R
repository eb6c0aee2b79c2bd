source("common.R"); source("lib/bi3_oracles.R")
p(NaN); p(NaN); p(NaN); p(NaN); p(0, 0); pm(matrix(0, 2, 3)); p(0, 1); pm(c(0, 0)); p(2, 0)
