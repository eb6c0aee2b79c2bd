source("common.R")
X <- dml_matrix(c(3, -1.5, 2, 8, 0.25, -4, 7, 1, 5.5, 2, -3, 6), 4, 3)

p(sum(X)); p(mean(X)); p(prod(X)); p(var(as.vector(X))); p(sd(as.vector(X))); p(min(X)); p(max(X))
p(sum(X^2)); p(mean(X[, 2])); p(0); p(mean(X))
