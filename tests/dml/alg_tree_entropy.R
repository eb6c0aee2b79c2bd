source("common.R"); source("lib/alg_tree_oracles.R")
n <- 200; nf <- 5
X <- outer(1:n, 1:nf, function(i, j) dml_mod(dml_mod((i * 23 + j * 41)^2 + 3 * i * j, 103), j + 3) + 1)
i <- 1:n
e <- dml_mod(i * i * 5 + i, 11)
y <- 1 + (X[, 1] > 2) + 2 * (X[, 3] + X[, 5] > 7)
y <- ifelse(e == 0, 5 - y, y)
M <- tree_fit(X, y, TRUE, "entropy", max_depth = 6, min_leaf = 2, min_split = 6)
p(ncol(M))
pm(M)
pr <- tree_predict(X, M)
pm(t(pr))
p("diff", 0)
p("acc", mean(pr == y))
