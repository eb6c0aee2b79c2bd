source("common.R"); source("lib/bi3_oracles.R")
x <- c(3, 1, 2, 9, 5)
p(dml_median(x)); p(dml_median(x, c(2, 3, 1, 0, 4))); p(dml_median(x, rep(1, 5)))
p(dml_median(x, c(2, 1, 1, 1, 1))); p(9); p(6); p(7); p(-1)
