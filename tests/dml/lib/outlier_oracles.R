# outlier_oracles.R - the iterative outlier removal of outlierByIQR/outlierBySd and their
# data, for the oracles tests/dml/alg_outlierByIQR.R and alg_outlierBySd.R
# (source("common.R") first).

# 20 x 3, planted outliers, a NaN and a zero
n <- 20
X <- outer(1:n, 1:3, function(i, j) ((i*j*7 + i*13 + j*29) %% 101) / 101 - 0.5 + j)
X[3, 1] <- 8; X[11, 1] <- -6; X[14, 1] <- 3.5; X[5, 2] <- 5; X[17, 3] <- 7; X[9, 3] <- 4.2
X[2, 2] <- NaN; X[6, 3] <- 0

s0 <- function(M) { M[is.nan(M)] <- 0; sum(M) }

# col_out(x) -> list(out = outlier flags of column x, stats = its statistics). Repeats until
# at most one cell is an outlier, nothing changes or maxit passes (maxit 0: no limit);
# rm 0 drops rows with an outlier, 1 sets them to 0, 2 to NaN. Returns the result and the
# statistics of the last pass, one column per feature.
outlier_iter <- function(X, rm, maxit, col_out) {
  out <- X; it <- 0
  repeat {
    cols <- lapply(seq_len(ncol(out)), function(j) col_out(out[, j]))
    isOut <- do.call(cbind, lapply(cols, function(c) c$out))
    stats <- do.call(cbind, lapply(cols, function(c) c$stats))
    isOut[is.na(isOut)] <- FALSE
    if (sum(isOut) <= 1) break
    prev <- s0(out)
    if (rm == 0) out <- out[rowSums(isOut) == 0, , drop = FALSE]
    else out[isOut] <- if (rm == 1) 0 else NaN
    it <- it + 1
    if (s0(out) == prev || (maxit > 0 && it >= maxit)) break
  }
  list(Y = out, stats = unname(stats))
}
