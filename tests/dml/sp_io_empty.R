source("common.R"); source("lib/sp_oracles.R")
p(0, 3, 0, 3, 0, 3, 0, 3, 0, 3); p(3, 0, 3, 0, 3, 0, 3, 0); pm(matrix(0, 4, 30)); p(0)
