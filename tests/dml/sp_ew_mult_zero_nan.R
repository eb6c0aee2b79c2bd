source("common.R"); source("lib/sp_oracles.R")
S <- sp_S(); D <- sp_D()
D[1, 1] <- Inf; D[5, 5] <- NaN; D[20, 10] <- -Inf; D[1, 7] <- NaN
P <- S * D
pm(matrix(P[1, ], 1)); pm(matrix(P[5, ], 1)); pm(matrix(P[20, ], 1))
p(sum(is.nan(S * D)), sum(is.nan(D * S)))
cv <- rep(0, 20); cv[5] <- Inf; cv[7] <- NaN
pm(matrix(rowSums(is.nan(S * cv)), 1))
p(sum(is.nan(S * Inf)), sum(is.nan(S * NaN)))
