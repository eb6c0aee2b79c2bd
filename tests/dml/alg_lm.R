# tol: rtol=1e-10, atol=1e-12
source("common.R"); source("lib/ridge_oracle.R")
n <- 50; D <- 4
i <- 1:n
X <- (outer(i, 1:D) * 7 + outer(i * 13, (1:D) * 29, "+")) %% 101 / 101 - 0.5
noise <- ((i * i * 3 + i * 11) %% 53) / 53 - 0.5
y <- X %*% c(1.5, -2, 0.5, 3) + 0.7 + 0.3 * noise

for (ic in 0:2) {
  B <- ridge(X, y, ic, 1e-7)
  p(paste0("icpt ", ic, " rows ", length(B)))
  pm(matrix(B, nrow = 1))
}
for (ic in 0:2) pm(matrix(ridge(X, y, ic, 0.5), nrow = 1))
pm(matrix(lm.fit(cbind(X, 1), y)$coefficients, nrow = 1))
