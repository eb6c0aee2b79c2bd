source("common.R")
a <- 7.5; b <- -2.25
p(a + b); p(a - b); p(a * b); p(a / b)
p(dml_intdiv(a, 2)); p(dml_intdiv(-a, 2)); p(dml_mod(a, 2)); p(dml_mod(-a, 2))
p(dml_mod(a, b)); p(dml_intdiv(a, b)); p(dml_mod(5.5, -2))
p(2.5^1.5); p(a^2); p(1.5); p(1/3 + 2/3)
