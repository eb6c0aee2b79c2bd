source("common.R"); source("lib/bi3_oracles.R")
p(1, 2); pm(matrix(0, 1, 2)); p(3, 0); p(0, 2); pm(matrix(0, 3, 1)); pm(matrix(0, 1, 2)); p(1, 3)
