source("common.R"); source("lib/sp_oracles.R")
S <- sp_S(); rm <- as.vector(t(S))
ps(dml_matrix(rm, 10, 20)); ps(matrix(as.vector(S), 8, 25)); ps(matrix(rm, 1)); ps(matrix(as.vector(S), 1))
pm(dml_matrix(rm, 40, 5)); p(0); p(0); pm(matrix(0, 3, 8)); p(0, 4)
