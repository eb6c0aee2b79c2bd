source("common.R")

gcd <- function(a, b) if (b == 0) a else gcd(b, dml_mod(a, b))
p(gcd(1071, 462)); p(gcd(17, 5)); p(gcd(1024, 96)); p(gcd(-48, 18))
