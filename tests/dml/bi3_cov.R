source("common.R"); source("lib/bi3_oracles.R")
x <- 1:6; y <- c(2, 1, 4, 3, 7, 5); w <- c(1, 2, 1, 2, 1, 3)
p(cov(x, y)); p(dml_cov(x, y, w)); p(var(x)); p(0); p(cov(x, -2 * y)); p(0)
p(dml_cov(x, y, c(0.5, 0.5, 1, 1, 1, 2)))
