source("common.R")

sigmoid <- function(z) 1 / (1 + exp(-z))
n <- 40; x <- (1:n) / 10 - 2; X <- cbind(1, x); y <- ((sin((1:n) * 1.7) + x) > 0) * 1
w <- matrix(0, 2, 1)
for (i in 1:50) { pr <- sigmoid(X %*% w); w <- w - 0.5 * t(X) %*% (pr - y) / n }
pr <- sigmoid(X %*% w); pm(w); p(-mean(y * log(pr) + (1 - y) * log(1 - pr)))
