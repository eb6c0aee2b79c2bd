# tol: rtol=1e-6, atol=1e-9
source("common.R"); source("lib/svm_oracles.R")
n <- 60; m <- 4
X <- outer(1:n, 1:m, function(i, j) ((i*j*7 + i*13 + j*29) %% 101) / 101 - 0.5)
noise <- ((1:n * 17) %% 11) / 11 - 0.5
score <- X %*% c(1, -2, 0.5, 1) + 0.6 * noise
y <- ifelse(score > 0, 1, -1)

r1 <- svm_opt(X, y, 1)
pm(t(r1$w)); p(r1$obj)
Xi <- cbind(X, 1)
r2 <- svm_opt(Xi, y, 0.1)
p(5); pm(t(r2$w)); p(r2$obj)

Xt <- X[1:7, ]
w2 <- r2$w
R1 <- Xt %*% w2[1:m] + w2[m + 1]
pm(t(R1)); pm(t(rep(1, 7)))
W3 <- cbind(w2, -w2, 0.5 * w2)
R3 <- Xt %*% W3[1:m, ] + matrix(W3[m + 1, ], 7, 3, byrow = TRUE)
pm(R3); pm(t(dml_rowIndexMax(R3)))
R4 <- Xt %*% W3[1:m, ]
pm(R4); pm(t(dml_rowIndexMax(R4)))
