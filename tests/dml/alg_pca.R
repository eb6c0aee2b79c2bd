# tol: rtol=1e-8, atol=1e-10
source("common.R")
fixsign <- function(R) {
  for (j in seq_len(ncol(R))) { k <- which.max(abs(R[, j])); if (R[k, j] < 0) R[, j] <- -R[, j] }
  R
}
N <- 15
X <- outer(1:N, 1:4, function(i, j) ((i*j*7 + i*13 + j*29) %% 101) / 101 + i * j / 20)
pr <- prcomp(X, center = TRUE, scale. = TRUE)
stopifnot(all(diff(pr$sdev) < 0))
R1 <- fixsign(pr$rotation)[, 1:3]
pm(R1)
pm(scale(X) %*% R1)
pm(t(colMeans(X)))
pm(t(apply(X, 2, sd)))
pr2 <- prcomp(X, center = TRUE, scale. = FALSE)
R2 <- fixsign(pr2$rotation)[, 1:2]
pm(R2)
pm(scale(X, scale = FALSE) %*% R2)
p(0, 0)
p(0, 0)
pm(fixsign(pr$rotation))
Xn <- outer(1:5, 1:4, function(i, j) ((i*j*11 + i*3 + j*17) %% 53) / 53 + j / 4)
pm(scale(Xn, center = colMeans(X), scale = apply(X, 2, sd)) %*% R1)
pm(scale(Xn, center = colMeans(X), scale = FALSE) %*% R2)
pm(X %*% R1)
cat("PCA: invalid parameter value, K = 6 is larger than the number of columns; setting K = 4\n")
p("ncol", 4)
