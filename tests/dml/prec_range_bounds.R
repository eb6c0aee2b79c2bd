source("common.R")
X <- dml_matrix(1:20, 5, 4); n <- 1
pm(X[(n+1):nrow(X), ]); pm(X[(2*n):3, 1]); pm(X[1:(n*2), 2:(n+2)])
p(sum((n+1):(n+3)))
