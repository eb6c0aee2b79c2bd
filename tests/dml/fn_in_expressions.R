source("common.R")

f <- function(x) x * 2; g <- function(x) x + 1
p(1 + f(3)); p(g(f(2.5))); p("v=3.0")
if (f(1) > 1.5) p("gt") else p("le")
p(f(g(0.5)) * g(f(0.5))); p(sum(matrix(f(2), 2, 2)))
