source("common.R")

for (i in dml_range(1, 10, 3)) p(i)
p("--"); for (i in dml_range(10, 1, -4)) p(i)
p("--"); for (i in dml_range(1, 10, -2)) p(i); for (i in dml_range(10, 1, 2)) p(i)
p("--"); for (i in dml_range(2, 5)) p(i)
p("--"); for (i in dml_range(5, 2)) p(i)
p("--"); p(length(dml_range(0, 100, 7)))
