source("common.R")
x <- c("red", "green", "red", "blue", "green", "red")
pm(as.numeric(factor(x, levels = unique(x))))
p(length(unique(x)), 1)
