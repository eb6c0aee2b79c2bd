source("common.R")
p(5)
