source("common.R")
X <- outer(1:10, 1:3, function(i, j) ((i*j*7 + i*13 + j*29) %% 101) / 101 - 0.5)
Y <- (1:10) * 10
pm(X[1:7, ]); pm(X[8:10, ]); pm(row_vec(Y[1:7])); pm(row_vec(Y[8:10]))
p(3, 4); pm(row_vec(Y[1:3])); pm(row_vec(Y[4:7]))
