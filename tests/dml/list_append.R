source("common.R")

L <- list(1, 2); L <- c(L, 3); L <- c(L, list(matrix(1, 2, 2)))
p(length(L)); p(L[[3]]); p(sum(L[[4]]))
N <- list(x = 1); N <- c(N, list(y = 2)); p(length(N)); p(N[["y"]])
E <- list(); p(length(E)); E <- c(E, "first"); p(length(E)); p(E[[1]])
p(length(c(list(5), 6)))
