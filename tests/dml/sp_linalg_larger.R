# tol: rtol=1e-9 atol=1e-10
source("common.R"); source("lib/sp_oracles.R")
n <- 40; I <- dml_matrix(1:(n * n), n, n); O <- (I %% 13 == 5) * (I / 1600); A <- O + t(O) + diag(4, n)
L <- t(chol(A)); pm(L[1:6, 1:6]); p(TRUE); p(0); Ai <- solve(A); pm(Ai[1:4, 1:4]); p(TRUE)
p(as.numeric(determinant(A)$modulus)); b <- (1:n) * ((1:n) %% 5 == 0); pm(t(solve(A, b)))
pm(t(sort(eigen(A, symmetric = TRUE)$values)))
