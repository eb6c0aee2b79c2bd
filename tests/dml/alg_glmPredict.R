# tol: rtol=1e-9, atol=1e-12
source("common.R")
n <- 10; D <- 3; i <- 1:n
X <- (outer(i, 1:D) * 7 + outer(i * 13, (1:D) * 29, "+")) %% 101 / 101 - 0.5
A <- cbind(X, 1)
eta <- as.vector(A %*% c(0.8, -1.5, 0.6, 0.3))
etap <- as.vector(A %*% c(0.8, -1.5, 0.6, 2.5))
pm(matrix(poisson()$linkinv(eta), nrow = 1))
pm(matrix(Gamma()$linkinv(etap), nrow = 1))
pm(matrix(power(0.5)$linkinv(etap), nrow = 1))
pr <- binomial()$linkinv(eta); pm(matrix(t(cbind(pr, 1 - pr)), nrow = 2))
for (lk in c("probit", "cloglog", "cauchit")) {
  pr <- binomial(link = lk)$linkinv(eta); pm(matrix(t(cbind(pr, 1 - pr)), nrow = 2))
}
E <- exp(cbind(X %*% matrix(c(0.8, -1.5, 0.6, 0.3, 1.0, -0.7), 3, 2, byrow = TRUE), 0))
pm(E / rowSums(E))
pm(matrix(exp(X %*% c(0.8, -1.5, 0.6)), nrow = 1))
n2 <- 60; i2 <- 1:n2
X2 <- (outer(i2, 1:D) * 7 + outer(i2 * 13, (1:D) * 29, "+")) %% 101 / 101 - 0.5
y2 <- pmax(dml_round(exp(0.5 + X2 %*% c(1, -2, 0.5)) + (i2 %% 5) / 5 - 0.4), 0)
fit <- glm(y2 ~ X2, family = poisson(), control = glm.control(epsilon = 1e-15, maxit = 100))
pm(matrix(predict(fit, type = "response")[1:8], nrow = 1))
