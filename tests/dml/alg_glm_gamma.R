# tol: rtol=1e-6, atol=1e-8
source("common.R")
n <- 60; D <- 3; i <- 1:n
X <- (outer(i, 1:D) * 7 + outer(i * 13, (1:D) * 29, "+")) %% 101 / 101 - 0.5
eta <- 0.5 + X %*% c(1, -2, 0.5)
y <- as.vector(exp(eta) * (1 + ((i * 31) %% 11) / 11 - 0.45))
ctl <- glm.control(epsilon = 1e-15, maxit = 200)
last <- function(b) matrix(c(b[-1], b[1]), nrow = 1)
pm(last(coef(glm(y ~ X, family = Gamma(), control = ctl))))
pm(last(coef(glm(y ~ X, family = Gamma(link = "log"), control = ctl))))
pm(matrix(coef(glm(y ~ X - 1, family = Gamma(link = "log"), control = ctl)), nrow = 1))
pm(last(coef(glm(y ~ X, family = inverse.gaussian(link = "log"), control = ctl))))
