source("common.R")

n <- 30; k <- 3; i <- 1:n
X <- cbind(sin(i) * 3 + (i %% 3) * 4, cos(i * 2) + (i %% 3) * 2)
C <- X[1:k, ]
for (it in 1:10) {
  D <- -2 * X %*% t(C) + rowSums(X^2) + matrix(rowSums(C^2), n, k, byrow = TRUE)
  a <- dml_rowIndexMin(D)
  for (j in 1:k) { m <- a == j; if (sum(m) > 0) C[j, ] <- colSums(X[m, , drop = FALSE]) / sum(m) }
}
pm(C); pm(t(a))
p(sum((X - C[a, ])^2))
