# The fixed point of Lloyd's iteration with the tie at 0 shared equally: c = (-1 + 0/2) / 1.5.
source("common.R")
pm(matrix(c(-2 / 3, 2 / 3), 2, 1))
p(TRUE)
