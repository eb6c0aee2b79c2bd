source("common.R")
p(3 + 100); p((2 - 1) * 2)
