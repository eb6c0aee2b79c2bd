source("common.R")
X <- dml_matrix(c(1, 0, 3, -1), 2, 2) / 0
pm(X); pm(X + 1); pm(X * 0); p(sum(X)); p(NaN); p(1)
pm((!is.nan(X) & X == X) * 1)
Y <- dml_matrix(1:4, 2, 2); Y[1, 2] <- NaN
p(sum(Y)); p(mean(Y)); pm(Y * 2)
