source("common.R"); source("lib/sp_oracles.R"); source("lib/bi3_oracles.R")
S <- sp_S(); x <- as.vector(t(S)) / 7; y <- as.vector(S) / 7
p(dml_moment(x, 2), dml_moment(x, 3), dml_moment(x, 4)); p(dml_moment(x, 2), dml_moment(y, 3))
p(cov(x, y), var(x), var(x))
v <- S[, 1] / 7; u <- S[, 8] / 7; w <- (1:20) * ((1:20) %% 3 != 0)
p(dml_moment(v, 2, w), dml_moment(v, 3, w), dml_moment(u, 4, w)); p(cov(v, u), dml_cov(v, u, w)); p(0, 0, 0)
