# tol: rtol=1e-10, atol=1e-12
source("common.R")
n <- 20
X <- outer(1:n, 1:3, function(i, j) ((i*j*7 + i*13 + j*29) %% 101) / 101 - 0.5 + j)
X[3, 1] <- 8; X[11, 1] <- -6; X[14, 1] <- 3.5; X[5, 2] <- 5; X[17, 3] <- 7; X[9, 3] <- 4.2
X[2, 2] <- NaN; X[6, 3] <- 0
s0 <- function(M) { M[is.nan(M)] <- 0; sum(M) }
oiqr <- function(X, k, rm, maxit) {
  out <- X; it <- 0
  repeat {
    q1 <- q3 <- numeric(ncol(out))
    isOut <- matrix(FALSE, nrow(out), ncol(out))
    for (j in seq_len(ncol(out))) {
      x <- out[, j]; v <- x[!is.nan(x)]
      q1[j] <- quantile(v, 0.25, type = 1, names = FALSE)
      q3[j] <- quantile(v, 0.75, type = 1, names = FALSE)
      iqr <- q3[j] - q1[j]
      isOut[, j] <- !is.nan(x) & ((x < q1[j] - k * iqr) | (x > q3[j] + k * iqr))
    }
    isOut[is.na(isOut)] <- FALSE
    if (sum(isOut) <= 1) break
    prev <- s0(out)
    if (rm == 0) out <- out[rowSums(isOut) == 0, , drop = FALSE]
    else out[isOut] <- if (rm == 1) 0 else NaN
    it <- it + 1
    if (s0(out) == prev || (maxit > 0 && it >= maxit)) break
  }
  list(Y = out, q = rbind(q1, q3, q3 - q1))
}
r <- oiqr(X, 1.5, 1, 0); pm(r$Y); pm(r$q); p(1.5, 1)
r <- oiqr(X, 1, 2, 0); pm(r$Y); pm(r$q)
r <- oiqr(X, 0.5, 0, 2); pm(r$Y); pm(r$q); p(0.5, 0)
