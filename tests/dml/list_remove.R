source("common.R")

L <- list(10, 20, 30); L2 <- L[-2]; e <- L[2]
p(length(L2)); p(L2[[1]]); p(L2[[2]]); p(e[[1]]); p(length(e)); p(length(L))
