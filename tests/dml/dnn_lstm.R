source("common.R"); source("lib/dnn_oracles.R")
N <- 3; T <- 4; D <- 2; M <- 3
X <- dml_matrix(sin(1:(N * T * D)), N, T * D)
W <- dml_matrix(cos(1:((D + M) * 4 * M)), D + M, 4 * M) / 2
b <- dml_matrix(1:(4 * M), 1, 4 * M) / 20 - 0.3
out0 <- dml_matrix(1:(N * M), N, M) / 10; c0 <- -out0 / 2
for (rs in c(FALSE, TRUE)) {
  f <- lstm_fwd_r(X, W, b, out0, c0, rs)
  pm(f$out); pm(f$c); pm(f$ci)
  dout <- dml_matrix(sin((1:(N * ncol(f$out))) * 0.7), N, ncol(f$out))
  dc <- dml_matrix(cos(1:(N * M)), N, M)
  g <- lstm_bwd_r(dout, dc, X, W, b, out0, c0, rs, f$co, f$cc, f$ci)
  pm(g$dX); pm(g$dW); pm(g$db); pm(g$dout0); pm(g$dc0)
}
