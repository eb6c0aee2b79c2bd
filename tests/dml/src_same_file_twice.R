source("common.R")
p(1.5^2 + 2^3)
