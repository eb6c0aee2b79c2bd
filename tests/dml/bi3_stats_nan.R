source("common.R"); source("lib/bi3_oracles.R")
x <- c(4, NaN, 1, 3)
p(dml_median(x)); p(dml_quantile(x, 1)); p(dml_quantile(x, 0.5)); p(NaN); p(dml_iqm(x)); p(NaN)
pm(c(NaN, 2)); p(NaN)
