source("common.R")
n <- 25
Y <- 1 + ((1:n * 7) %% 4)
P <- 1 + ((1:n * 5 + (1:n %% 3)) %% 4)
P[3] <- 5
cm <- function(P, Y) {
  d <- max(P, Y)
  S <- table(factor(P, levels = 1:d), factor(Y, levels = 1:d))
  S <- matrix(as.vector(S), d, d)
  list(S = S, A = sweep(S, 2, pmax(1, colSums(S)), "/"))
}
r <- cm(P, Y); pm(r$S); pm(r$A)
r2 <- cm(Y, Y); pm(r2$S); pm(r2$A)
