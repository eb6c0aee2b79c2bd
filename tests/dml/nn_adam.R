source("common.R")
source("lib/nn_data.R")
X <- gen(3, 4, 7, 13, 29, 101) * 2
dX1 <- gen(3, 4, 5, 3, 11, 37)
dX2 <- gen(3, 4, 11, 2, 5, 23) * 3
p(3, 4, 0, 3, 4, 0)
# Kingma & Ba, section 2: bias-corrected moments m_hat, v_hat; the step
# lr * sqrt(1-b2^t)/(1-b1^t) * m / (sqrt(v) + eps) equals
# lr * m_hat / (sqrt(v_hat) + eps / sqrt(1 - b2^t))
b1 <- 0.8; b2 <- 0.95; eps <- 1e-2; lr <- 0.1; gs <- list(dX1, dX2)
for (t in 1:2) {
  m <- Reduce(`+`, lapply(1:t, function(i) (1 - b1) * b1^(t - i) * gs[[i]]))
  v <- Reduce(`+`, lapply(1:t, function(i) (1 - b2) * b2^(t - i) * gs[[i]]^2))
  mh <- m / (1 - b1^t); vh <- v / (1 - b2^t)
  X <- X - lr * mh / (sqrt(vh) + eps / sqrt(1 - b2^t))
  pm(X); pm(m); pm(v)
}
