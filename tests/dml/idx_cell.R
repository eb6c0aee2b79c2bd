source("common.R")
X <- dml_matrix(1:20, 4, 5) / 7 + 0.5

p(X[2, 3]); p(X[4, 5]); p(X[1, 1]); p(X[3, 2]); p(X[2, 4]); p(1); p(1)
