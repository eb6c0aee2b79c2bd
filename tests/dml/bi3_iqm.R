source("common.R"); source("lib/bi3_oracles.R")
for (n in 1:9) p(dml_iqm((n:1)^2))
x <- c(3, 1, 2, 9, 5); p(dml_iqm(x, c(2, 3, 1, 0, 4))); p(dml_iqm(x))
p(dml_iqm(c(5, -2, 7, 7, 100, -50, 3, 3, 3, 1, 0)))
