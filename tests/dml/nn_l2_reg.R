source("common.R")
gen <- function(N, D, a, b, c, m) outer(1:N, 1:D, function(i, j) ((i * j * a + i * b + j * c) %% m) / m - 0.5)
X <- gen(4, 3, 7, 13, 29, 101) * 5; lambda <- 0.3
p(lambda / 2 * norm(X, "F")^2)
pm(lambda * X)
p(TRUE)
