source("common.R"); source("lib/sp_oracles.R"); source("lib/bi3_oracles.R")
S <- sp_S(); x <- S[, 1] + S[, 8]; g <- (1:20 %% 4) + 1
for (fn in c("sum", "count", "mean", "variance")) pm(t(dml_aggregate(x, g, fn)))
pm(t(dml_aggregate(x, g, "centralmoment", ord = 3))); pm(t(dml_aggregate(x, g, "min"))); pm(t(dml_aggregate(x, g, "max")))
w <- (1:20) * ((1:20) %% 3 != 0)
pm(t(dml_aggregate(x, g, "sum", w))); pm(t(dml_aggregate(x, g, "mean", w)))
pm(t(dml_aggregate(x, 2 * g, "sum", ngroups = 9)))
pm(dml_aggregate(S, g, "sum", ngroups = 4)); pm(dml_aggregate(S, g, "max", ngroups = 3))
pm(matrix(0, 1, 4))
