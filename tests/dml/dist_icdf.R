source("common.R")
# R's qf works through 1 - qbeta(upper tail) and loses relative precision for
# small quantiles; x = qbeta(p, df1/2, df2/2) gives them exactly (as GSL
# does).  qt(p, 1) = tan(pi (p - 1/2)) likewise, written as a cotangent.
qf_acc <- function(pr, d1, d2) {
  if (pr > 0.5) return(qf(pr, d1, d2))
  x <- qbeta(pr, d1 / 2, d2 / 2); (d2 / d1) * x / (1 - x)
}
qt1 <- function(pr) if (pr == 0.5) 0 else if (pr < 0.5) -1 / tan(pi * pr) else 1 / tan(pi * (1 - pr))
ps <- c(1e-12, 1e-6, 0.001, 0.025, 0.1, 0.3, 0.5, 0.7, 0.9, 0.975, 0.999, 0.999999)
for (pr in ps) {
  p("n", qnorm(pr), qnorm(pr, 2, 3), qnorm(pr, -1, 0.1))
  p("e", qexp(pr), qexp(pr, 3), qexp(pr, 0.25))
  p("t", qt1(pr), qt(pr, 2.5), qt(pr, 30), qt(pr, 500))
  p("c", qchisq(pr, 0.5), qchisq(pr, 1), qchisq(pr, 7), qchisq(pr, 150))
  p("f", qf_acc(pr, 1, 1), qf_acc(pr, 3, 7), qf_acc(pr, 20, 4), qf_acc(pr, 100, 60))
}
p(qnorm(0), qnorm(1), qchisq(0, 2), qt(1, 3), qexp(0))
p(0.95, 0.01)
