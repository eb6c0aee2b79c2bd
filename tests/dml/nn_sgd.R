source("common.R")
source("lib/nn_data.R")
X <- gen(3, 4, 7, 13, 29, 101) * 2
dX1 <- gen(3, 4, 5, 3, 11, 37)
dX2 <- gen(3, 4, 11, 2, 5, 23) * 3
# plain gradient steps
for (s in list(list(dX1, 0.1), list(dX2, 0.05))) { X <- X - s[[2]] * s[[1]]; pm(X) }
