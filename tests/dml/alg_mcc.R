source("common.R")
n <- 23
l <- as.numeric(((1:n * 5) %% 3) == 0)
pr <- as.numeric(((1:n * 5 + (1:n %% 4 == 1)) %% 3) == 0)
mcc <- function(p, l) {
  TP <- sum(p == 1 & l == 1); TN <- sum(p == 0 & l == 0)
  FP <- sum(p == 1 & l == 0); FN <- sum(p == 0 & l == 1)
  den <- (TP + FP) * (TP + FN) * (TN + FP) * (TN + FN)
  if (den == 0) 0 else (TP * TN - FP * FN) / sqrt(den)
}
p(mcc(pr, l)); p(mcc(pr, 1 - l)); p(mcc(l, l)); p(mcc(rep(1, n), l))
