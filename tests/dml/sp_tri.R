source("common.R"); source("lib/sp_oracles.R")
S <- dml_matrix(1:100, 10, 10); S <- S * (S %% 7 == 0) - 2 * S * (S %% 9 == 0)
tri <- function(M, lower, diag = FALSE, values = FALSE) {
  K <- if (lower) lower.tri(M, diag) else upper.tri(M, diag)
  if (values) M * K else K * 1
}
ps(tri(S, TRUE)); ps(tri(S, TRUE, TRUE, TRUE)); ps(tri(S, FALSE, FALSE, TRUE)); pm(tri(S, FALSE, TRUE))
R <- dml_matrix(1:24, 4, 6); R <- R * (R %% 5 == 0)
pm(tri(R, TRUE, TRUE, TRUE)); pm(tri(t(R), FALSE, FALSE, TRUE)); pm(matrix(0, 3, 3)); p(1); p(5)
