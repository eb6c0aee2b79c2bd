# R oracle of pf_shared_values.dml (the same values computed sequentially).
source("common.R")
A <- dml_matrix(1:12, 3, 4)
pm(A * rep(-(1:4), each = 3))
pm(A)
X <- dml_matrix(1:20, 5, 4) / 2
pm(X)
pm(X + rowSums(X))
p(10, 20, 30)
p(1, 2, 3)
p("v1", "v2", "v3")
p("u", "u", "u")
pm(matrix(12, 2, 3))
pm(matrix(12, 2, 3) / rep(1:3, each = 2))
E <- matrix(1, 4, 4); diag(E) <- 0
pm(E * rep(1:4, each = 4))
