source("common.R")

for (i in dml_range(1, 0)) p(i)
for (i in dml_range(5, 3)) p(i)
p(length(dml_range(1, 0)))
for (i in dml_range(-1, -3)) p(i)
