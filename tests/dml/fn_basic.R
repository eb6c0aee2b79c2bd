source("common.R")

add <- function(a, b) a + b
p(add(1.5, 2.25)); p(7 * 7); p(add(add(1, 2), 0.5))
