source("common.R")

n <- 3; cnt <- 0
for (i in dml_range(1, n)) { n <- n + 10; cnt <- cnt + 1 }
p(cnt); p(n)
