source("common.R")
pm((1:10)^2 + 0.5)
