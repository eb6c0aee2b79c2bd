source("common.R")
X <- dml_matrix(1:12, 3, 4) / 7 + 0.5
Y <- dml_matrix(c(2, -1, 0.5, 4, 3, -2, 1, 1, -0.25, 8, 2, 5), 3, 4)
pm(X + Y); pm(X - Y); pm(X * Y); pm(X / Y); pm(X^Y); pm(dml_mod(X, Y)); pm(dml_intdiv(X, Y))
