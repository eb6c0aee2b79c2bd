# R oracle of pf_udf_eval.dml (the same values computed sequentially).
source("common.R")
X <- dml_matrix(1:24, 6, 4) / 5 - 1.5
pm(X / sqrt(rowSums(X^2)))
pm(t(apply(X, 1, function(x) c(mean(x), var(x), max(x)))))
fib <- function(n) if (n <= 2) 1 else fib(n - 1) + fib(n - 2)
pm(row_vec(sapply(1:15, fib)))
E <- X
for (i in 1:6) E[i, ] <- if (i %% 2 == 0) X[i, ]^3 else X[i, ]^2
pm(E)
pm(row_vec(colSums(X^2)))
pm(t(sapply(1:3, function(k) colSums((X * k)^2))))
