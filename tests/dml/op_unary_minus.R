source("common.R")
X <- dml_matrix(c(1, -2, 3, -4), 2, 2)
pm(-X); pm(-(X - 3)); pm(X); pm(X); p(-5); p(-10); p(-2.5)
