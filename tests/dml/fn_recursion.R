source("common.R")
fib <- function(n) if (n <= 1) n else fib(n - 1) + fib(n - 2)
for (i in 0:15) p(fib(i))
p(factorial(10)); p(factorial(20))
