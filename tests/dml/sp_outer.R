source("common.R"); source("lib/sp_oracles.R")
k <- 1:8; u <- k * (k %% 3 == 1) - 2 * (k == 8) * 8; j <- 1:6; v <- j * (j %% 2 == 0) / 2
ps(outer(u, v, "*")); pm(outer(u, v, "+")); pm(outer(u, v, "-")); pm(outer(u, v, "==")); ps(outer(u, v, "!="))
pm(outer(u, v, "/")); pm(outer(u, v, "^")); pm(outer(u, v, pmin)); pm(outer(u, v, pmax)); pm(outer(u, v, ">="))
pm(outer(u, v, dml_mod)); pm(outer(u, v, dml_intdiv)); pm(outer(abs(u), v + 1, function(a, b) log(a) / log(b)))
pm(matrix(0, 3, 2)); p(-3)
