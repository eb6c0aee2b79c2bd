source("common.R")

Z <- matrix(0, 0, 3); p(nrow(Z)); p(ncol(Z)); p(length(Z)); W <- matrix(0, 2, 0); p(nrow(W) + ncol(W))
