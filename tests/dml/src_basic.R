source("common.R")
p(9); p(8)
