source("common.R")
p(16)
