source("common.R"); source("lib/sp_oracles.R")
S <- sp_S(); T <- sp_T()
pm(ifelse(S != 0, S, -1)); ps(S != 0); ps(ifelse(S > 0, S, T)); ps(ifelse(T != 0, S, 0)); ps(ifelse(S < 0, 0, T))
ps(S); ps(T); pm(ifelse(S == 0, 0.5, S / 7))
X <- S; X[3, 4] <- NaN
cnd <- X != 0; cnd[is.nan(X)] <- TRUE; pm(ifelse(cnd, 1, 2))
cnd <- X > 0; cnd[is.nan(X)] <- FALSE; pm(ifelse(cnd, 1, 2))
p(if (sum(S) > 0) "pos" else "neg")
