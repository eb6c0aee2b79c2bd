source("common.R")

for (i in dml_range(1, 5)) p(i)
p(sum(1:100)); p("k=3")
