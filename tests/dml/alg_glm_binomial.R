# tol: rtol=1e-6, atol=1e-8
source("common.R")
n <- 60; D <- 3; i <- 1:n
X <- (outer(i, 1:D) * 7 + outer(i * 13, (1:D) * 29, "+")) %% 101 / 101 - 0.5
pr <- as.vector(1 / (1 + exp(-2 * (X %*% c(1, -2, 0.5)))))
yb <- as.numeric(((i * 17) %% 7) / 7 < pr)
p(sum(yb))
ctl <- glm.control(epsilon = 1e-15, maxit = 200)
last <- function(b) matrix(c(b[-1], b[1]), nrow = 1)
pm(last(coef(glm(yb ~ X, family = binomial(), control = ctl))))
pm(matrix(coef(glm(yb ~ X - 1, family = binomial(), control = ctl)), nrow = 1))
yes <- (i * 7) %% 3 + dml_round(4 * pr) * 0.5
Y2 <- cbind(yes, 5 - yes)
sw <- suppressWarnings   # non-integer counts: R warns, the likelihood is the same
pm(last(coef(sw(glm(Y2 ~ X, family = binomial(), control = ctl)))))
for (lk in c("probit", "cloglog", "cauchit"))
  pm(last(coef(sw(glm(Y2 ~ X, family = binomial(link = lk), control = ctl)))))
pm(last(coef(glm(yb ~ X, family = binomial(link = "probit"), control = ctl))))
