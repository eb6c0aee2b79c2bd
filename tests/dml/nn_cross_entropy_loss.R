source("common.R")
source("lib/nn_data.R")
N <- 5; K <- 4; eps <- 1e-10
E <- exp(gen(N, K, 7, 13, 29, 101) * 3); P <- E / rowSums(E)
Y <- (gen(N, K, 3, 1, 2, 4) == 0.25) * 1; Y[5, ] <- c(0.5, 0.25, 0, 0.25)
L <- mean(sapply(1:N, function(i) -sum(Y[i, ] * log(P[i, ] + eps))))
dP <- -Y / (P + eps) / N
p(L)
pm(dP)
p(TRUE)
