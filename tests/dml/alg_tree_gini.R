source("common.R"); source("lib/alg_tree_oracles.R")
n <- 150; nf <- 4
gen <- function(i) dml_mod(outer(i, 1:nf, function(i, j) dml_mod((i * 31 + j * 17)^2 + i * j, 101)), 6) + 1
X <- gen(1:n)
i <- 1:n
e <- dml_mod(i * i * 7 + i * 3, 13)
y <- 1 + (X[, 1] > 3) + (X[, 2] + X[, 3] > 8)
y <- ifelse(e == 0, 4 - y, y)
M <- tree_fit(X, y, TRUE, "gini", max_depth = 5, min_leaf = 3, min_split = 8)
p(ncol(M))
pm(M)
p("same", 0)
pr <- tree_predict(X, M)
pm(t(pr))
p("acc", mean(pr == y))
Xt <- gen(201:260)
pt <- tree_predict(Xt, M)
pm(t(pt))
pm(t(pt))
