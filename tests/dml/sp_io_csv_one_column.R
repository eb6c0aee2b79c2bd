source("common.R"); source("lib/sp_oracles.R")
p(3, 1); pm(c(1, 0, 0)); p(1, 1, 0); k <- 1:10; pm(t(k * (k %% 4 == 1)))
