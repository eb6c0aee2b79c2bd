source("common.R")
source("lib/nn_data.R")
N <- 5; M <- 3
P <- gen(N, M, 7, 13, 29, 101) * 4; Y <- gen(N, M, 5, 3, 11, 37) * 2
L <- sum(apply(P - Y, 1, function(r) 0.5 * sum(r^2))) / N
dP <- (P - Y) / N
p(L)
pm(dP)
p(TRUE)
