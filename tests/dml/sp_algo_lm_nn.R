source("common.R"); source("lib/sp_oracles.R")
X <- sp_S() / 100; y <- (1:20) / 10 - 1
A <- t(X) %*% X + diag(0.01, 10); pm(t(solve(A, t(X) %*% y)))
mu <- colMeans(X); sdv <- sqrt(as.vector(dml_colVars(X)))
Z <- sweep(sweep(X, 2, mu), 2, pmax(sdv, 1e-6), "/"); pm(Z[1:5, ])
W <- dml_matrix(1:40, 10, 4) / 20 - 1; b <- c(0.1, -0.2, 0, 0.3)
H <- sweep(X %*% W, 2, b, "+"); pm(pmax(H, 0)); pm(1 / (1 + exp(-H)))
E <- exp(H - apply(H, 1, max)); P <- E / rowSums(E); pm(P); pm(t(dml_rowIndexMax(P)))
