source("common.R")
mp <- function(A, n) { P <- diag(nrow(A)); if (n > 0) for (k in 1:n) P <- P %*% A; P }
pm(mp(dml_matrix(c(1, 1, 1, 0), 2, 2), 10)); pm(mp(dml_matrix(c(0.5, 0.25, -0.5, 1), 2, 2), 7))
