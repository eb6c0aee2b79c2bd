source("common.R")

n <- 27; steps <- 0
while (n != 1) { if (n %% 2 == 0) n <- n %/% 2 else n <- 3 * n + 1; steps <- steps + 1 }
p(steps); p(0)
k <- 10; while (k > 0) k <- k - 3; p(k)
j <- 0; t <- 0
while (j < 5 && t < 100) { j <- j + 1; t <- t + j * j }
p(j, t)
