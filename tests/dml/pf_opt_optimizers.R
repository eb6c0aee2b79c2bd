# R oracle of pf_opt_optimizers.dml (the same values computed sequentially).
source("common.R")
m <- 13
X <- dml_matrix(1:(5 * m), 5, m) / 3
V <- dml_matrix(1:(5 * m), 5, m)
U <- dml_matrix(1:(m * m), m, m)
C <- X * rep(1:m, each = 5)
C[, (1:m) %% 3 == 0] <- 0
Z <- matrix(0, m, m)
for (j in 1:m) Z[j, m - j + 1] <- j
A <- rowSums(X)
for (name in c("NONE_1", "NONE_2", "NONE_3", "NONE_4", "NONE_5", "NONE_6", "NONE_7", "NONE_8", "RULEBASED_1", "RULEBASED_2", "RULEBASED_3", "RULEBASED_4", "RULEBASED_5", "RULEBASED_6", "RULEBASED_7", "RULEBASED_8", "CONSTRAINED_1", "CONSTRAINED_2", "CONSTRAINED_3", "CONSTRAINED_4", "CONSTRAINED_5", "CONSTRAINED_6", "CONSTRAINED_7", "CONSTRAINED_8", "HEURISTIC_1", "HEURISTIC_2", "HEURISTIC_3", "HEURISTIC_4", "HEURISTIC_5", "HEURISTIC_6", "HEURISTIC_7", "HEURISTIC_8", "misc1", "misc2", "misc3", "misc4", "misc5", "misc6")) p(name, sum(C * V), sum(C == 0), sum(Z * U), sum(A * (1:5)))
