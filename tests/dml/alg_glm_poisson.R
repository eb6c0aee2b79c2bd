# tol: rtol=1e-8, atol=1e-10
source("common.R")
n <- 60; D <- 3; i <- 1:n
X <- (outer(i, 1:D) * 7 + outer(i * 13, (1:D) * 29, "+")) %% 101 / 101 - 0.5
eta <- 0.5 + X %*% c(1, -2, 0.5)
y <- pmax(dml_round(exp(eta) + (i %% 5) / 5 - 0.4), 0)
p(sum(y))
ctl <- glm.control(epsilon = 1e-15, maxit = 100)
pm(matrix(coef(glm(y ~ X - 1, family = poisson(), control = ctl)), nrow = 1))
b <- coef(glm(y ~ X, family = poisson(), control = ctl)); pm(matrix(c(b[-1], b[1]), nrow = 1))
Xs <- scale(X)
bs <- coef(glm(y ~ Xs, family = poisson(), control = ctl))
pm(cbind(c(b[-1], b[1]), c(bs[-1], bs[1])))
