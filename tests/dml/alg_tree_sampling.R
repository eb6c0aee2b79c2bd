source("common.R"); source("lib/alg_tree_oracles.R")
n <- 150; nf <- 4
X <- outer(1:n, 1:nf, function(i, j) dml_mod(dml_mod((i * 31 + j * 17)^2 + i * j, 101), 6) + 1)
i <- 1:n
y <- 1 + (X[, 1] > 3) + (X[, 2] + X[, 3] > 8) + (dml_mod(i, 9) == 0)
pm(tree_fit(X, y, TRUE, max_depth = 5, min_leaf = 3, min_split = 8))
X1 <- matrix(dml_mod(dml_mod((i * 37)^2 + i, 103), 15) + 1, ncol = 1)
y1 <- 1 + (X1 > 5) + (X1 > 11) + (dml_mod(i, 7) == 0)
pm(tree_fit(X1, y1, TRUE, max_depth = 4, min_leaf = 2, min_split = 5))
p("same", 0)
p("TT vs GEMM", 0)
p("labels ok", TRUE)
p("features ok", TRUE)
