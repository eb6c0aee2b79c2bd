source("common.R")
v <- c(0, 10, 5, 2.5, 7.5, 10, 1)
code <- as.numeric(cut(v, breaks = seq(0, 10, length.out = 5), include.lowest = TRUE, labels = FALSE))
pm(cbind(outer(code, 1:4, "==") * 1, v * 2))
