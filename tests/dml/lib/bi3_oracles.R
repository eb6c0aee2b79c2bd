# bi3_oracles.R - R twins of the DML semantics of the statistics, structural
# and decomposition builtins (DML.md 7.5, 7.7 - 7.9), for the oracles of
# tests/dml/bi3_*.R (source("common.R") first, then this file).
#
# Where DML differs from R (quantile by rank ceil(p*n), stable order with NaN
# last ascending / first descending, eigen values ascending, sign-normalised
# eigen/singular vectors, Commons-Math Householder vectors) these functions
# compute the DML result from first principles.

# DML.md 3.2 integer conversion.
dml_int <- function(v) sign(v) * floor(abs(v) + 2^-53)

# Cells of a matrix in DML (row-major) order.
cells <- function(M) as.vector(t(as.matrix(M)))

# table(a, b, w [, d1, d2]); a, b, w vectors (or scalars) in cell order.
dml_table <- function(a, b, w = 1, d1 = -1, d2 = -1) {
  n <- max(length(a), length(b), length(w))
  a <- rep_len(a, n); b <- rep_len(b, n); w <- rep_len(w, n)
  keep <- !(is.nan(a) | is.nan(b) | is.nan(w))
  i <- dml_int(a[keep]); j <- dml_int(b[keep]); w <- w[keep]
  fixed <- d1 >= 0 && d2 >= 0
  R <- if (fixed) d1 else max(c(0, i)); C <- if (fixed) d2 else max(c(0, j))
  T <- matrix(0, R, C)
  for (k in seq_along(i)) if (i[k] <= R && j[k] <= C) T[i[k], j[k]] <- T[i[k], j[k]] + w[k]
  T
}

# order(target=X, by, decreasing): 1-based row indexes, stable, NaN last
# ascending and first descending.
dml_order_idx <- function(X, by = 1, decreasing = FALSE) {
  X <- as.matrix(X)
  keys <- lapply(by, function(c) if (decreasing) -X[, c] else X[, c])
  do.call(order, c(keys, list(na.last = !decreasing, method = "radix")))
}
dml_order <- function(X, by = 1, decreasing = FALSE)
  as.matrix(X)[dml_order_idx(X, by, decreasing), , drop = FALSE]

# The sorted weighted sample (each x repeated w times), NaN last.
dml_expand <- function(x, w = rep(1, length(x))) {
  o <- order(x, na.last = TRUE, method = "radix")
  rep(x[o], w[o])
}
dml_quantile <- function(x, p, w = rep(1, length(x))) {
  s <- dml_expand(x, w); n <- length(s)
  if (n == 0) return(NaN)
  sapply(p, function(pp) { r <- ceiling(pp * n); if (is.nan(r) || r < 1) r <- 1; s[min(r, n)] })
}
dml_median <- function(x, w = rep(1, length(x))) {
  s <- dml_expand(x, w); n <- length(s)
  if (n == 0) return(NaN)
  if (n %% 2 == 1) s[ceiling(n / 2)] else (s[n / 2] + s[n / 2 + 1]) / 2
}
dml_iqm <- function(x, w = rep(1, length(x))) {
  s <- dml_expand(x, w); n <- length(s)
  if (n == 0) return(NaN)
  q25 <- 0.25 * n; q75 <- 0.75 * n; a <- ceiling(q25); b <- ceiling(q75)
  mid <- if (b > a) sum(s[(a + 1):b]) else 0
  (mid + (a - q25) * s[a] - (b - q75) * s[b]) / (0.5 * n)
}

# Central moment and covariance (population moment, sample covariance).
dml_moment <- function(x, k, w = rep(1, length(x))) {
  mu <- sum(w * x) / sum(w); sum(w * (x - mu)^k) / sum(w)
}
dml_cov <- function(x, y, w = rep(1, length(x))) {
  sw <- sum(w); if (sw == 1) return(0)
  mx <- sum(w * x) / sw; my <- sum(w * y) / sw
  sum(w * (x - mx) * (y - my)) / (sw - 1)
}

# aggregate(target=X, groups=g, fn, weights, ngroups, order) per column.
dml_aggregate <- function(X, g, fn, w = NULL, ngroups = -1, ord = 2) {
  X <- as.matrix(X); g <- dml_int(g)
  K <- if (ngroups >= 0) ngroups else max(c(0, g))
  if (is.null(w)) w <- rep(1, nrow(X))
  out <- matrix(0, K, ncol(X))
  for (q in seq_len(K)) for (j in seq_len(ncol(X))) {
    sel <- which(g == q); if (length(sel) == 0) next
    x <- X[sel, j]; ww <- w[sel]; sw <- sum(ww); mu <- sum(ww * x) / sw
    out[q, j] <- switch(fn,
      sum = sum(ww * x), count = sw, mean = mu,
      variance = if (sw == 1) 0 else sum(ww * (x - mu)^2) / (sw - 1),
      centralmoment = sum(ww * (x - mu)^ord) / sw,
      min = min(x), max = max(x))
  }
  out
}

# Distinct values ascending, NaN last (unique(X) of DML, "rc").
dml_distinct <- function(v) { u <- unique(v); c(sort(u), u[is.nan(u)]) }
dml_unique_rows <- function(X) {
  X <- as.matrix(X); L <- lapply(seq_len(nrow(X)), function(i) dml_distinct(X[i, ]))
  k <- max(c(0, lengths(L))); out <- matrix(0, nrow(X), k)
  for (i in seq_along(L)) if (length(L[[i]])) out[i, seq_along(L[[i]])] <- L[[i]]
  out
}
dml_unique_cols <- function(X) t(dml_unique_rows(t(as.matrix(X))))

# cumsumprod: y1 = X[1,1], y_i = X[i,1] + X[i,2] * y_(i-1).
dml_cumsumprod <- function(X) {
  y <- numeric(nrow(X))
  for (i in seq_len(nrow(X))) y[i] <- if (i == 1) X[1, 1] else X[i, 1] + X[i, 2] * y[i - 1]
  matrix(y, ncol = 1)
}

# Flips each column unless its leading entry (the first whose magnitude is
# within a relative 1e-10 of the largest) is positive; `with` gets the same
# flips (svd pairs).
sign_fix <- function(V, with = NULL) {
  for (j in seq_len(ncol(V))) {
    a <- abs(V[, j]); lead <- which(a >= max(a) * (1 - 1e-10))[1]
    if (V[lead, j] < 0) {
      V[, j] <- -V[, j]
      if (!is.null(with)) with[, j] <- -with[, j]
    }
  }
  if (is.null(with)) V else list(V, with)
}
dml_eigen <- function(A) {
  e <- eigen(A, symmetric = isSymmetric(A))
  o <- order(Re(e$values))
  list(values = Re(e$values[o]), vectors = sign_fix(Re(e$vectors[, o, drop = FALSE])))
}
dml_svd <- function(A) {
  s <- svd(A); f <- sign_fix(s$u, s$v)
  list(U = f[[1]], S = diag(s$d, length(s$d)), V = f[[2]])
}

# Householder QR as in Commons Math's QRDecomposition (getH, getR).
dml_qr <- function(A) {
  A <- as.matrix(A); m <- nrow(A); n <- ncol(A); R <- A; H <- matrix(0, m, n)
  for (j in seq_len(min(m, n))) {
    x <- R[j:m, j]; a <- if (x[1] > 0) -sqrt(sum(x^2)) else sqrt(sum(x^2))
    if (a == 0) next
    v <- x; v[1] <- v[1] - a; H[j:m, j] <- v
    R[j:m, j:n] <- R[j:m, j:n, drop = FALSE] -
      (2 / sum(v^2)) * v %*% (t(v) %*% R[j:m, j:n, drop = FALSE])
    R[j:m, j] <- 0; R[j, j] <- a
  }
  list(H = H, R = R)
}

# Doolittle LU with partial pivoting (first maximum): P A = L U.
dml_lu <- function(A) {
  A <- as.matrix(A); n <- nrow(A); perm <- seq_len(n); L <- diag(n); U <- A
  for (j in seq_len(n)) {
    p <- j - 1 + which.max(abs(U[j:n, j]))
    if (p != j) {
      U[c(j, p), ] <- U[c(p, j), ]; perm[c(j, p)] <- perm[c(p, j)]
      if (j > 1) L[c(j, p), 1:(j - 1)] <- L[c(p, j), 1:(j - 1)]
    }
    if (j < n) for (i in (j + 1):n) {
      L[i, j] <- U[i, j] / U[j, j]; U[i, ] <- U[i, ] - L[i, j] * U[j, ]; U[i, j] <- 0
    }
  }
  P <- matrix(0, n, n); P[cbind(seq_len(n), perm)] <- 1
  list(P = P, L = L, U = U)
}
