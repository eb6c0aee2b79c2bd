# tol: rtol=1e-10, atol=1e-12
source("common.R"); source("lib/ridge_oracle.R")
n <- 50; D <- 5; i <- 1:n
X <- (outer(i, 1:D) * 7 + outer(i * 13, (1:D) * 29, "+")) %% 101 / 101 - 0.5
noise <- ((i * i * 3 + i * 11) %% 53) / 53 - 0.5
y <- 3 * X[, 2] - 2 * X[, 4] + 0.5 + 0.05 * noise

rss <- function(cols, icpt) {
  Xs <- X[, cols, drop = FALSE]; b <- ridge(Xs, y, icpt, 1e-7)
  yh <- Xs %*% b[seq_along(cols)]; if (icpt > 0) yh <- yh + b[length(b)]
  sum((y - yh)^2)
}
forward <- function(y, icpt) {
  y <<- y
  p0 <- if (icpt == 0) 0 else 1
  aic <- 2 * p0 + n * log((if (icpt == 0) sum(y^2) else sum((y - mean(y))^2)) / n)
  sel <- c()
  repeat {
    rest <- setdiff(1:D, sel)
    if (length(rest) == 0) break
    aics <- sapply(rest, function(j) 2 * (length(sel) + 1 + p0) + n * log(rss(c(sel, j), icpt) / n))
    best <- which.min(aics)
    if (aics[best] < aic - 0.001 * abs(aic)) { sel <- c(sel, rest[best]); aic <- aics[best] } else break
  }
  B <- rep(0, D + (icpt != 0))
  if (length(sel) > 0) {
    cols <- sort(sel); b <- ridge(X[, cols, drop = FALSE], y, icpt, 1e-7)
    B[cols] <- b[seq_along(cols)]; if (icpt != 0) B[D + 1] <- b[length(b)]
    S <- if (icpt != 0) c(sel, D + 1) else sel
  } else { if (icpt != 0) B[D + 1] <- mean(y); S <- 0 }
  pm(matrix(B, nrow = 1)); pm(matrix(S, nrow = 1))
}
forward(3 * X[, 2] - 2 * X[, 4] + 0.5 + 0.05 * noise, 1)
forward(3 * X[, 2] - 2 * X[, 4] + 0.5 + 0.05 * noise, 0)
forward(3 * X[, 2] - 2 * X[, 4] + 0.5 + 0.05 * noise, 2)
forward(X[, 5] + 0.8 * X[, 1] + 0.3 * noise, 1)
forward(((i * i * 4 + i * 3) %% 37) / 37, 1)
