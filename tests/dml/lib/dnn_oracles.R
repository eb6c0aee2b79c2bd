# dnn_oracles.R - explicit-loop R versions of the DML.md 7.11 operators for
# the dnn_*.R oracles (NCHW rows: cell (n, c, h, w) at column
# (c-1)*H*W + (h-1)*W + w, all indexes 1-based).

dnn_pq <- function(H, W, Hf, Wf, sh, sw, ph, pw)
  c(floor((H + 2 * ph - Hf) / sh) + 1, floor((W + 2 * pw - Wf) / sw) + 1)

# Input cell at padded-image position (h, w), or NA outside the image.
dnn_col <- function(c, h, w, H, W) if (h < 1 || h > H || w < 1 || w > W) NA else (c - 1) * H * W + (h - 1) * W + w

conv2d_r <- function(X, Wt, C, H, W, Hf, Wf, sh, sw, ph, pw) {
  N <- nrow(X); F <- nrow(Wt); PQ <- dnn_pq(H, W, Hf, Wf, sh, sw, ph, pw); P <- PQ[1]; Q <- PQ[2]
  out <- matrix(0, N, F * P * Q)
  for (n in 1:N) for (f in 1:F) for (p in 1:P) for (q in 1:Q) {
    s <- 0
    for (c in 1:C) for (i in 1:Hf) for (j in 1:Wf) {
      k <- dnn_col(c, (p - 1) * sh + i - ph, (q - 1) * sw + j - pw, H, W)
      if (!is.na(k)) s <- s + X[n, k] * Wt[f, (c - 1) * Hf * Wf + (i - 1) * Wf + j]
    }
    out[n, (f - 1) * P * Q + (p - 1) * Q + q] <- s
  }
  out
}

# Both backward passes of conv2d at once: list(dW, dX).
conv2d_bwd_r <- function(X, Wt, dout, C, H, W, Hf, Wf, sh, sw, ph, pw) {
  N <- nrow(X); F <- nrow(Wt); PQ <- dnn_pq(H, W, Hf, Wf, sh, sw, ph, pw); P <- PQ[1]; Q <- PQ[2]
  dW <- matrix(0, F, C * Hf * Wf); dX <- matrix(0, N, C * H * W)
  for (n in 1:N) for (f in 1:F) for (p in 1:P) for (q in 1:Q) {
    g <- dout[n, (f - 1) * P * Q + (p - 1) * Q + q]
    for (c in 1:C) for (i in 1:Hf) for (j in 1:Wf) {
      k <- dnn_col(c, (p - 1) * sh + i - ph, (q - 1) * sw + j - pw, H, W)
      if (is.na(k)) next
      fk <- (c - 1) * Hf * Wf + (i - 1) * Wf + j
      dW[f, fk] <- dW[f, fk] + g * X[n, k]
      dX[n, k] <- dX[n, k] + g * Wt[f, fk]
    }
  }
  list(dW = dW, dX = dX)
}

# Pooling; type "max" (padding ignored, first maximum) or "avg" (/ Hf*Wf).
# Returns list(out, dX) where dX routes dout back.
pool_r <- function(X, dout, type, C, H, W, Hf, Wf, sh, sw, ph, pw) {
  N <- nrow(X); PQ <- dnn_pq(H, W, Hf, Wf, sh, sw, ph, pw); P <- PQ[1]; Q <- PQ[2]
  out <- matrix(0, N, C * P * Q); dX <- matrix(0, N, C * H * W)
  for (n in 1:N) for (c in 1:C) for (p in 1:P) for (q in 1:Q) {
    o <- (c - 1) * P * Q + (p - 1) * Q + q
    best <- NA; s <- 0; cells <- c()
    for (i in 1:Hf) for (j in 1:Wf) {
      k <- dnn_col(c, (p - 1) * sh + i - ph, (q - 1) * sw + j - pw, H, W)
      if (is.na(k)) next
      cells <- c(cells, k); s <- s + X[n, k]
      if (is.na(best) || X[n, k] > X[n, best]) best <- k
    }
    if (type == "max") {
      out[n, o] <- X[n, best]
      dX[n, best] <- dX[n, best] + dout[n, o]
    } else {
      out[n, o] <- s / (Hf * Wf)
      for (k in cells) dX[n, k] <- dX[n, k] + dout[n, o] / (Hf * Wf)
    }
  }
  list(out = out, dX = dX)
}

# bias_add / bias_multiply: b[c] applied to the HW columns of channel c.
bias_r <- function(X, b, mul) {
  hw <- ncol(X) / length(b)
  B <- matrix(rep(rep(b, each = hw), nrow(X)), nrow(X), byrow = TRUE)
  if (mul) X * B else X + B
}

# Channel sums of an N x C*HW matrix: C x 1.
chan_sums <- function(M, C) {
  hw <- ncol(M) / C
  matrix(sapply(1:C, function(c) sum(M[, ((c - 1) * hw + 1):(c * hw)])), ncol = 1)
}

# nn/layers/batch_norm2d_old.dml forward (train or test).
bn_fwd_r <- function(X, gamma, beta, ema_mean, ema_var, mode, eps, mu) {
  C <- length(gamma); hw <- ncol(X) / C; m <- nrow(X) * hw
  if (mode == "train") {
    mean <- chan_sums(X, C) / m
    var <- chan_sums(bias_r(X, -mean, FALSE)^2, C) / m
    em <- mu * ema_mean + (1 - mu) * mean; ev <- mu * ema_var + (1 - mu) * var
  } else {
    mean <- ema_mean; var <- ema_var; em <- ema_mean; ev <- ema_var
  }
  iv <- 1 / sqrt(var + eps)
  out <- bias_r(bias_r(bias_r(bias_r(X, -mean, FALSE), iv, TRUE), gamma, TRUE), beta, FALSE)
  list(out = out, em = em, ev = ev, mean = mean, iv = iv)
}

# batch_norm2d_old.dml backward, train mode.
bn_bwd_r <- function(X, dout, gamma, mean, iv) {
  C <- length(gamma); m <- nrow(X) * ncol(X) / C
  centered <- bias_r(X, -mean, FALSE); norm <- bias_r(centered, iv, TRUE)
  dgamma <- chan_sums(dout * norm, C); dbeta <- chan_sums(dout, C)
  dnorm <- bias_r(dout, gamma, TRUE)
  dvar <- chan_sums((-1 / 2) * bias_r(centered, iv^3, TRUE) * dnorm, C)
  dmean <- chan_sums(bias_r(dnorm, -iv, TRUE), C) + chan_sums((-2 / m) * centered, C) * dvar
  dX <- bias_r(dnorm, iv, TRUE) + (1 / m) * bias_r(matrix(0, nrow(X), ncol(X)), dmean, FALSE) +
    (2 / m) * bias_r(centered, dvar, TRUE)
  list(dX = dX, dgamma = dgamma, dbeta = dbeta)
}

sigmoid_r <- function(x) 1 / (1 + exp(-x))
rowflat <- function(M) matrix(t(M), nrow = 1)       # DML matrix(M, rows=1, cols=...)
unflat <- function(v, r, c) matrix(v, r, c, byrow = TRUE)

# nn/layers/lstm.dml forward.
lstm_fwd_r <- function(X, W, b, out0, c0, rs) {
  N <- nrow(X); M <- ncol(W) / 4; D <- nrow(W) - M; T <- ncol(X) / D
  Wx <- W[1:D, , drop = FALSE]; Wh <- W[(D + 1):(D + M), , drop = FALSE]
  h <- out0; cc <- c0; out <- matrix(0, N, if (rs) T * M else M)
  co <- matrix(0, T, N * M); ccache <- matrix(0, T, N * M); ci <- matrix(0, T, N * 4 * M)
  for (t in 1:T) {
    ifog <- X[, ((t - 1) * D + 1):(t * D), drop = FALSE] %*% Wx + h %*% Wh +
      matrix(rep(b, each = N), N)
    ifog[, 1:(3 * M)] <- sigmoid_r(ifog[, 1:(3 * M)])
    ifog[, (3 * M + 1):(4 * M)] <- tanh(ifog[, (3 * M + 1):(4 * M)])
    cc <- ifog[, (M + 1):(2 * M)] * cc + ifog[, 1:M] * ifog[, (3 * M + 1):(4 * M)]
    h <- ifog[, (2 * M + 1):(3 * M)] * tanh(cc)
    if (rs) out[, ((t - 1) * M + 1):(t * M)] <- h else out <- h
    co[t, ] <- rowflat(h); ccache[t, ] <- rowflat(cc); ci[t, ] <- rowflat(ifog)
  }
  list(out = out, c = cc, co = co, cc = ccache, ci = ci)
}

# nn/layers/lstm.dml backward.
lstm_bwd_r <- function(dout, dc, X, W, b, out0, c0, rs, co, ccache, ci) {
  N <- nrow(X); M <- ncol(W) / 4; D <- nrow(W) - M; T <- ncol(X) / D
  dX <- matrix(0, N, T * D); dW <- matrix(0, D + M, 4 * M); db <- matrix(0, 1, 4 * M)
  dh <- matrix(0, N, M); dcp <- dc
  if (!rs) dout <- cbind(matrix(0, N, (T - 1) * M), dout)
  for (t in T:1) {
    X_t <- X[, ((t - 1) * D + 1):(t * D), drop = FALSE]
    dout_t <- dout[, ((t - 1) * M + 1):(t * M), drop = FALSE] + dh
    ct <- unflat(ccache[t, ], N, M)
    hp <- if (t == 1) out0 else unflat(co[t - 1, ], N, M)
    cp <- if (t == 1) c0 else unflat(ccache[t - 1, ], N, M)
    ifog <- unflat(ci[t, ], N, 4 * M)
    i <- ifog[, 1:M]; f <- ifog[, (M + 1):(2 * M)]; o <- ifog[, (2 * M + 1):(3 * M)]
    g <- ifog[, (3 * M + 1):(4 * M)]
    do <- tanh(ct) * dout_t
    dct <- o * (1 - tanh(ct)^2) * dout_t + dcp
    di <- g * dct; df <- cp * dct; dg <- i * dct; dcp <- f * dct
    difog <- cbind(i * (1 - i) * di, f * (1 - f) * df, o * (1 - o) * do, (1 - g^2) * dg)
    dW <- dW + t(cbind(X_t, hp)) %*% difog
    db <- db + colSums(difog)
    dinput <- difog %*% t(W)
    dX[, ((t - 1) * D + 1):(t * D)] <- dinput[, 1:D]
    dh <- dinput[, (D + 1):(D + M), drop = FALSE]
  }
  list(dX = dX, dW = dW, db = db, dout0 = dh, dc0 = dcp)
}
