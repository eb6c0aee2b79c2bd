source("common.R"); source("lib/sp_oracles.R")
O <- dml_matrix(1:64, 8, 8); O <- O * (O %% 11 == 3) / 20
A <- O + diag(4:11); P <- O + t(O) + diag(4:11); b <- (1:8) * ((1:8) %% 3 == 0)
pm(t(solve(A, b))); pm(t(solve(P, b))); pm(matrix(0, 1, 8)); pm(solve(A)); pm(solve(P))
p(det(A), det(P), det(O + diag(8))); p(TRUE)
S <- sp_S(); L <- cbind(1, S[, 1], S[, 8], S[, 10]) / 7; y <- (1:20) / 4
pm(t(qr.solve(L, y))); pm(diag(c(0.5, 0.25, 2, 0.125))); p(0, 32, -2); p(0.25)
