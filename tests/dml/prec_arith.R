source("common.R")

p(2 + 3 * 4); p((2 + 3) * 4); p((10 - 4) - 3); p((100 / 10) / 5); p(2 * dml_mod(7, 4))
p(7 * dml_intdiv(5, 2)); p(dml_mod(dml_mod(17, 5), 3)); p(dml_intdiv(dml_intdiv(20, 3), 2))
p(2 - (-3)); p((8 / 2) * 4); p((2^2) * 3); p((1 - 2) + 3)
