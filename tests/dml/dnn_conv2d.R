source("common.R"); source("lib/dnn_oracles.R")
X <- dml_matrix(sin(1:120), 2, 60); W <- dml_matrix(cos(1:72), 4, 18)
out <- conv2d_r(X, W, 3, 5, 4, 3, 2, 1, 1, 1, 1); pm(out)
dout <- dml_matrix(1:(ncol(out) * 2), 2, ncol(out)) / 50 - 1
g <- conv2d_bwd_r(X, W, dout, 3, 5, 4, 3, 2, 1, 1, 1, 1); pm(g$dW); pm(g$dX)
out2 <- conv2d_r(X, W, 3, 5, 4, 3, 2, 2, 3, 1, 0); p(nrow(out2), ncol(out2)); pm(out2)
d2 <- dml_matrix(1:(2 * ncol(out2)), 2, ncol(out2)) / 7
g2 <- conv2d_bwd_r(X, W, d2, 3, 5, 4, 3, 2, 2, 3, 1, 0); pm(g2$dW); pm(g2$dX)
Xs <- X * (X > 0.9)
pm(conv2d_r(Xs, W, 3, 5, 4, 3, 2, 1, 1, 1, 1))
