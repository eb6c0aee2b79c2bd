source("common.R")
pm(as.matrix(read.csv("data/m.csv", header = FALSE)) * 4)
