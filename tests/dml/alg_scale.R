# tol: rtol=1e-10, atol=1e-12
source("common.R")
n <- 9
X <- outer(1:n, 1:4, function(i, j) ((i*j*7 + i*13 + j*29) %% 101) / 101 - 0.5 + i * j / 10)
X[, 3] <- 2.5
fix1 <- function(s) { s[is.nan(s) | s == 0] <- 1; s }
cm <- colMeans(X)
sd1 <- fix1(apply(X, 2, sd))
pm(sweep(sweep(X, 2, cm), 2, sd1, "/"))
pm(row_vec(cm)); pm(row_vec(sd1))
rms <- fix1(sqrt(colSums(X^2) / (n - 1)))
pm(sweep(X, 2, rms, "/"))
p(0, 0)
pm(row_vec(rms))
pm(scale(X, center = TRUE, scale = FALSE))
p(0, 0)
p(0)
Xn <- X[2:4, ] * 2 - 1
pm(sweep(sweep(Xn, 2, cm), 2, sd1, "/"))
pm(sweep(Xn, 2, sd1, "/"))
