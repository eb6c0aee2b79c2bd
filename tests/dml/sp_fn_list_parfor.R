source("common.R"); source("lib/sp_oracles.R")
S <- sp_S(); Y <- S * ((1:20) %% 3); ps(Y); p(sum(Y != 0), 24); ps(t(S)[1:3, ])
R <- matrix(0, 20, 10); e <- seq(2, 20, 2); R[e, ] <- S[e, ] * 2; ps(R)
pm(row_vec(colSums(dml_cumsum(S))))
