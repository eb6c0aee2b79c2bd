source("common.R")
X <- dml_matrix(1:12, 4, 3) / 3
pm(X * 2 + rowSums(X)); pm(X * matrix(1:3, 4, 3, byrow = TRUE))
