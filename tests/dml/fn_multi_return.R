source("common.R")

X <- dml_matrix(1:6, 3, 2)
p(sum(X)); p(mean(X)); p(nrow(X)); p(sum(X) + mean(X)); p(sum(X))
