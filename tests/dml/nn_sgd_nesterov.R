source("common.R")
gen <- function(N, D, a, b, c, m) outer(1:N, 1:D, function(i, j) ((i * j * a + i * b + j * c) %% m) / m - 0.5)
X <- gen(3, 4, 7, 13, 29, 101) * 2
dX1 <- gen(3, 4, 5, 3, 11, 37)
dX2 <- gen(3, 4, 11, 2, 5, 23) * 3
p(3, 4, 0)
# Nesterov on theta: v = mu v - lr grad(theta + mu v), theta = theta + v;
# the layer keeps X = theta + mu v (the point where the gradient is taken)
mu <- 0.9; v <- 0 * X; theta <- X - mu * v
for (s in list(list(dX1, 0.1), list(dX2, 0.05))) {
  v <- mu * v - s[[2]] * s[[1]]; theta <- theta + v
  pm(theta + mu * v); pm(v)
}
