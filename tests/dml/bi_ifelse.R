source("common.R")
X <- dml_matrix(c(1, 5, -2, 8, 0, 3), 2, 3); Y <- dml_matrix(c(10, 20, 30, 40, 50, 60), 2, 3)
pm(ifelse(X > 2, X, 0)); pm(ifelse(X > 2, 1, -1)); pm(ifelse(X != 0, Y, -Y)); pm(ifelse(X <= 0, X * 0.5, Y))
pm(X); pm(Y)
