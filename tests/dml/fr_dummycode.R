source("common.R")
x <- c("b", "a", "c", "a", "b", "b")
f <- factor(x, levels = unique(x))
pm(model.matrix(~ f - 1))
