# tol: rtol=1e-8 atol=1e-9
source("common.R")
n <- 20; x <- (1:n) / n
X <- cbind(1, x, x^2); y <- 3 - 2 * x + 0.5 * x^2 + sin(1:n) / 10
beta <- solve(t(X) %*% X, t(X) %*% y); pm(beta)
res <- y - X %*% beta; p(sum(res^2)); pm(c(0, 0, 0))
