source("common.R")
source("lib/nn_data.R")
N <- 7
P <- gen(N, 1, 7, 13, 29, 101) * 0.9 + 0.5; Y <- (gen(N, 1, 3, 1, 2, 5) > 0) * 1
L <- -mean(dbinom(Y, 1, P, log = TRUE))      # Bernoulli negative log-likelihood
dP <- (-Y / P + (1 - Y) / (1 - P)) / N
p(L)
pm(dP)
p(TRUE)
