source("common.R"); source("lib/bi3_oracles.R")
x <- c(2, 4, 4, 4, 5, 5, 7, 9); w <- c(1, 2, 1, 3, 1, 1, 2, 1)
for (k in 2:4) p(dml_moment(x, k)); for (k in 2:4) p(dml_moment(x, k, w))
p(0); p(dml_moment(x, 4)); p(dml_moment(x, 3, c(0.5, 1, 1, 1, 1, 1, 1, 2.5)))
