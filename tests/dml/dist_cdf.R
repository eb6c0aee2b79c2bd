source("common.R")
qs <- c(-30, -8, -3, -1.5, -0.2, 0, 0.01, 0.3, 1, 1.96, 2.5, 4, 7, 12, 40, 150, 400)
for (q in qs) {
  p("n", pnorm(q), pnorm(q, lower.tail = FALSE), pnorm(q, 2, 3), pnorm(q, -1, 0.1, lower.tail = FALSE))
  p("e", pexp(q), pexp(q, 3, lower.tail = FALSE), pexp(q, 0.25))
  p("t", pt(q, 1), pt(q, 2.5, lower.tail = FALSE), pt(q, 30), pt(q, 500))
  if (q > 0) {
    p("c", pchisq(q, 0.5), pchisq(q, 1, lower.tail = FALSE), pchisq(q, 7), pchisq(q, 150, lower.tail = FALSE))
    p("f", pf(q, 1, 1), pf(q, 3, 7, lower.tail = FALSE), pf(q, 20, 4), pf(q, 100, 60))
  }
}
p(pnorm(-Inf), pnorm(Inf), pchisq(Inf, 3, lower.tail = FALSE))
