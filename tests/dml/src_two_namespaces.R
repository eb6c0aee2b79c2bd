source("common.R")
p(9); p(-1); p(100)
