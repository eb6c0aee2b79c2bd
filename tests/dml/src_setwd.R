source("common.R")
p(27)
