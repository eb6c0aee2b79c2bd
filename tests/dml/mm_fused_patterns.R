source("common.R")
X <- sin(dml_matrix(1:120000, 3000, 40))
y <- cos(matrix(1:3000, 3000, 1)); v <- cos(matrix(1:40, 40, 1)); V <- dml_matrix(1:80, 40, 2) / 80
for (k in 1:2) {
  if (k == 2) X <- X * (abs(X) > 0.8)
  G <- t(X) %*% X; pm(row_vec(colSums(G))); p("asym", 0)
  Z <- X[1:60, ]; H <- Z %*% t(Z); pm(row_vec(colSums(H))); p("asym", 0)
  pm(t(t(X) %*% y)); pm(t(t(X) %*% (X %*% v))); pm(t(t(X) %*% (c(y) * (X %*% v))))
  pm(t(t(X) %*% ((X %*% v) * c(y)))); pm(t(t(X) %*% (X %*% V)))
  A <- X[1:100, 1:30]; B <- X[201:300, 1:30]
  pm(row_vec(colSums(A %*% t(B)))); pm(row_vec(colSums(t(A) %*% B)))
  C <- X[1:30, ]; D <- X[31:70, 1:30]; pm(row_vec(colSums(t(C) %*% t(D))))
  pm(t(X[1:7, ]) %*% X[11:17, 1:3])
}
