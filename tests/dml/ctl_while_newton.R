source("common.R")

a <- 2; x <- a; it <- 0; delta <- 1
while (abs(delta) > 1e-12 && it < 100) { xn <- 0.5 * (x + a / x); delta <- xn - x; x <- xn; it <- it + 1 }
p(x); p(it); p(x * x - a)
