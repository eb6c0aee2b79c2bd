# tol: rtol=1e-9, atol=1e-11
source("common.R")
n <- 60; D <- 3; i <- 1:n
X <- (outer(i, 1:D) * 7 + outer(i * 13, (1:D) * 29, "+")) %% 101 / 101 - 0.5
y <- as.vector(X %*% c(1, -2, 0.5) + 0.3 + ((i * i * 3 + i * 11) %% 53) / 53)
ctl <- glm.control(epsilon = 1e-14, maxit = 100)
pm(matrix(coef(glm(y ~ X - 1, family = gaussian(), control = ctl)), nrow = 1))
b <- coef(glm(y ~ X, family = gaussian(), control = ctl)); pm(matrix(c(b[-1], b[1]), nrow = 1))
# icpt = 2: column 1 original scale, column 2 the fit on the standardised features
Xs <- scale(X)
bs <- coef(glm(y ~ Xs, family = gaussian(), control = ctl))
pm(cbind(c(b[-1], b[1]), c(bs[-1], bs[1])))
A <- cbind(X, 1)
pm(matrix(solve(crossprod(A) + diag(c(0.5, 0.5, 0.5, 0)), crossprod(A, y)), nrow = 1))
As <- cbind(Xs, 1)
bs <- as.vector(solve(crossprod(As) + diag(c(0.5, 0.5, 0.5, 0)), crossprod(As, y)))
mu <- attr(Xs, "scaled:center"); sdv <- attr(Xs, "scaled:scale")
pm(cbind(c(bs[1:3] / sdv, bs[4] - sum(bs[1:3] * mu / sdv)), bs))
pm(matrix(c(b[-1], b[1]), nrow = 1))
