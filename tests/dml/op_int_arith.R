source("common.R")

p(7 + 3); p(7 - 10); p(6 * 7); p(7 / 2); p(6 / 2); p(2^3)
p(dml_intdiv(7, 2)); p(dml_intdiv(-7, 2)); p(dml_intdiv(7, -2))
p(dml_mod(7, 3)); p(dml_mod(-7, 2)); p(dml_mod(7, -2)); p(dml_mod(-7, -2))
a <- 9; b <- 4; p(dml_intdiv(a, b) * b + dml_mod(a, b)); p(a * b - a); p(0 - 5)
