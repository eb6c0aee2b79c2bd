# tol: rtol=1e-10, atol=1e-12
source("common.R")
n <- 12; D <- 3; i <- 1:n
X <- (outer(i, 1:D) * 7 + outer(i * 13, (1:D) * 29, "+")) %% 101 / 101 - 0.5
b <- c(0.5, -1.25, 2)
pm(t(X %*% b))
pm(t(X %*% b + 0.75))
pm(t(X %*% b + 0.75))
pm(t(X %*% b + 0.75))
y <- ((i * i * 3 + i * 11) %% 53) / 53
pm(t(lm.fit(cbind(X, 1), y)$fitted.values))
