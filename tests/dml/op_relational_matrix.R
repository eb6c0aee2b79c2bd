source("common.R")
X <- dml_matrix(1:6, 2, 3); Y <- dml_matrix(c(3, 2, 1, 4, 6, 5), 2, 3)
pm((X > 2) * 1); pm((X >= Y) * 1); pm((X == 3) * 1); pm((X != Y) * 1); pm((2 < X) * 1)
pm((X <= Y) * 1); pm((X < Y) * 1); p(sum(X == Y))
