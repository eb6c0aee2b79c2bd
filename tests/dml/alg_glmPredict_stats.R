# tol: rtol=1e-9, atol=1e-12
source("common.R")
n <- 40; D <- 3; i <- 1:n
X <- (outer(i, 1:D) * 7 + outer(i * 13, (1:D) * 29, "+")) %% 101 / 101 - 0.5
eta <- as.vector(cbind(X, 1) %*% c(0.8, -1.5, 0.6, 0.3))
show <- function(ll, x2, g2, df, disp) {
  z <- (x2 / disp - df) / sqrt(2 * df)
  p("LOGLHOOD", ll); p("PEARSON_X2", x2); p("PEARSON_X2_SCALED", x2 / disp)
  p("PEARSON_X2_DF", df)
  p("PEARSON_X2_PVAL", pchisq(x2 / disp, df, lower.tail = FALSE))
  p("PEARSON_X2_Z", z); p("PEARSON_X2_Z_PVAL", pnorm(z, lower.tail = FALSE))
  p("DEVIANCE_G2", g2); p("DEVIANCE_G2_SCALED", g2 / disp)
  p("DEVIANCE_G2_PVAL", pchisq(g2 / disp, df, lower.tail = FALSE))
}
y <- (i * 7) %% 5; mu <- exp(eta)
show(sum(dpois(y, mu, log = TRUE)), sum((y - mu)^2 / mu), sum(poisson()$dev.resids(y, mu, 1)), n, 1)
p(sum(mu))
yg <- ((i * 11) %% 13) / 4 - 1; mu <- eta
show(sum(dnorm(yg, mu, sqrt(0.5), log = TRUE)), sum((yg - mu)^2), sum((yg - mu)^2), n, 0.5)
yb <- (i * 3) %% 2; pr <- binomial()$linkinv(eta)
show(sum(dbinom(yb, 1, pr, log = TRUE)), sum((yb - pr)^2 / (pr * (1 - pr))),
     sum(binomial()$dev.resids(yb, pr, 1)), n, 1)
