source("common.R")
n <- 20
pm(outer(1:n, 1:3) + (1:n) %% 3)
for (k in 1:8) p(0)
