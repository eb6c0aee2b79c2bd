source("common.R"); source("lib/sp_oracles.R")
S <- sp_S(); T <- sp_T()
re_rows <- function(M) M[rowSums(is.nan(M) | M != 0) > 0, , drop = FALSE]
re_cols <- function(M) M[, colSums(is.nan(M) | M != 0) > 0, drop = FALSE]
A <- re_rows(S); pdim(A); ps(A); B <- re_cols(S); pdim(B); pm(B[1:4, ])
C <- re_rows(T); p(nrow(C), ncol(C), sum(C != 0)); pm(t(C[, 10]))
pm(re_rows(S[, 4:6])); pm(re_cols(S[1:6, ]))
pm(S[(1:20) %% 4 == 0, ]); ps(t(T[, 9:10]))
X <- matrix(0, 5, 4); X[2, 3] <- NaN; X[4, 1] <- -Inf; pm(re_rows(X)); pm(re_cols(X))
