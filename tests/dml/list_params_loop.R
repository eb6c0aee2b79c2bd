source("common.R")

P1 <- matrix(1, 2, 2) - 0.01; P2 <- matrix(1, 2, 2) + 0.02
P3 <- dml_matrix(1:4, 2, 2) - 0.1 * diag(0.5, 2)
p(sum(P1) + sum(P2) + sum(P3)); pm(P3)
