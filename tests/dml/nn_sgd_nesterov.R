source("common.R")
source("lib/nn_optim_data.R")
# Nesterov on theta: v = mu v - lr grad(theta + mu v), theta = theta + v;
# the layer keeps X = theta + mu v (the point where the gradient is taken)
mu <- 0.9; v <- 0 * X; theta <- X - mu * v
for (s in list(list(dX1, 0.1), list(dX2, 0.05))) {
  v <- mu * v - s[[2]] * s[[1]]; theta <- theta + v
  pm(theta + mu * v); pm(v)
}
