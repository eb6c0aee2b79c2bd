source("common.R"); source("lib/alg_tree_oracles.R")
n <- 160; nf <- 4
X <- outer(1:n, 1:nf, function(i, j) dml_mod(dml_mod((i * 31 + j * 17)^2 + i * j, 101), j + 4) + 1)
i <- 1:n
e <- dml_mod(i * i * 7 + i * 3, 13)
y <- X[, 1] * 0.5 + sqrt(X[, 2]) * X[, 4] + e / 7 - 3
M <- tree_fit(X, y, FALSE, max_depth = 5, min_leaf = 4, min_split = 10)
p(ncol(M))
pm(M)
p("same", 0)
pr <- tree_predict(X, M)
pm(t(pr))
pm(t(pr))
p("sse", sum((pr - y)^2))
pm(tree_fit(X, y + 1e6, FALSE, max_depth = 5, min_leaf = 4, min_split = 10))
