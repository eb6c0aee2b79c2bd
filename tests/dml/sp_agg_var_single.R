source("common.R"); source("lib/sp_oracles.R")
p(0, 0); p(0, 0); p(0, 0); pm(matrix(0, 1, 6)); pm(matrix(0, 1, 6)); pm(matrix(0, 1, 6))
