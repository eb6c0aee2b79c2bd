source("common.R")
pm(cbind(seq(1, 13, 2), (1:7) * 2.5))
