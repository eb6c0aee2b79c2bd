source("common.R")

p(5); p(tail(dml_range(1, 10, 4), 1))
for (k in 1:3) p(k * 10)
p(2)
