source("common.R"); source("lib/sp_oracles.R")
a <- -2.5
p(0, 0, 0, a, a, a); p(0, 1); p(4, a); p(0, a); p(a, 0, 1); p(0, 6.25, 6.25, 0); p(a, a, a, 0)
p(a, a, 0, a, a, 0); p(0, 1); p(1, 0, a); pm(matrix(c(0, a), 1)); p(a, 6.25, 3, a); p(-0.4, -2)
p(a, 0, a, a, a, a, 0); p(a, a, a, 0, 0); p(a); p(a, 1)
