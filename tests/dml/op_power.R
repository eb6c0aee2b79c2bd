source("common.R")
p(0.5); p(NaN); p(1); p(-8); p(NaN); p(2)
X <- dml_matrix(c(4, 9, 0.25, 2), 2, 2)
pm(X^0.5); pm(X^-1)
