source("common.R")
u <- 1:3; v <- c(0.5, -1, 2, 4)
pm(outer(u, v, "*")); pm(outer(u, v, "-")); pm(outer(u, v, "<") * 1); pm(outer(u, v, pmax))
