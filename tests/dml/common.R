# common.R - helpers for the R oracles of tests/dml/*.R (source("common.R")).
#
# OUTPUT CONVENTION (the harness compares whitespace-separated tokens;
# numbers match within a tolerance, other tokens exactly):
#
#  * Scalars:   DML  print(x)              R  p(x)
#               DML  print("label " + x)   R  p("label", x)
#    Keep a space between a label and a number in DML so that the number is a
#    token of its own ("n= 3.0" vs R "n= 3" then compares numerically, while
#    "n=3.0" vs "n=3" would be a string mismatch).  Booleans print TRUE/FALSE
#    on both sides.
#  * Matrices:  DML  print(toString(X, decimal=15))      R  pm(X)
#    i.e. one line per row, cells separated by spaces.  Fixed-point with 15
#    decimals keeps ~1e-15 absolute precision, which the default tolerance
#    (rtol=1e-9, atol=1e-12) absorbs; values whose size matters below 1e-9
#    must be scaled first.  NaN / Infinity / -Infinity (DML) match
#    NaN / Inf / -Inf (R).  A 0-row matrix prints nothing on both sides.
#
# The dml_* functions compute DML semantics where DML differs from R (R is the
# oracle of the *values*, so R twins must use these instead of R's operators):
#   %/% truncates toward zero, %% takes the sign of the dividend, round is
#   half-up, rowIndexMax/Min break ties to the LAST position, matrix() fills
#   row-wise, for-loop ranges a:b count down when a > b (as in R), var/sd of a
#   single value are 0, seq() follows DML.md 7.1.

# --- printing ---------------------------------------------------------------
fmt <- function(x) {
  if (is.logical(x)) return(ifelse(x, "TRUE", "FALSE"))
  if (is.character(x)) return(x)
  sprintf("%.17g", as.numeric(x))
}

# p(...): all arguments on one line separated by single spaces.
p <- function(...) {
  parts <- unlist(lapply(list(...), function(a) fmt(a)))
  cat(paste(parts, collapse = " "), "\n", sep = "")
}

# pm(M): a matrix row by row (a vector is printed as a column vector).
pm <- function(M) {
  if (is.null(dim(M))) M <- matrix(M, ncol = 1)
  if (is.logical(M)) M <- M * 1  # DML relational results are 0/1 doubles
  for (i in seq_len(nrow(M))) {
    cat(paste(fmt(M[i, ]), collapse = " "), "\n", sep = "")
  }
}

# --- DML semantics ----------------------------------------------------------
# matrix(data, r, c) of DML: row-wise fill.
dml_matrix <- function(data, r, c) matrix(data, nrow = r, ncol = c, byrow = TRUE)

# a %/% b: truncation toward zero (DML.md 3.2).
dml_intdiv <- function(a, b) {
  q <- a / b
  r <- sign(q) * floor(abs(q) + 2^-53)
  r[is.nan(q)] <- NaN
  r
}

# a %% b = a - (a %/% b) * b: sign follows the dividend.
dml_mod <- function(a, b) a - dml_intdiv(a, b) * b

# round: half up, NaN -> 0 (DML.md 7.3).
dml_round <- function(x) {
  r <- floor(x + 0.5)
  r[is.nan(x)] <- 0
  r
}

# rowIndexMax/Min: ties -> last position; all-NaN row -> 1.
dml_rowIndexMax <- function(M) {
  matrix(apply(M, 1, function(r) {
    if (all(is.nan(r))) return(1)
    m <- max(r, na.rm = TRUE)
    max(which(r == m))
  }), ncol = 1)
}
dml_rowIndexMin <- function(M) {
  matrix(apply(M, 1, function(r) {
    if (all(is.nan(r))) return(1)
    m <- min(r, na.rm = TRUE)
    max(which(r == m))
  }), ncol = 1)
}

# var/sd over all cells with n-1 (0 for a single value).
dml_var <- function(x) { x <- as.vector(x); if (length(x) == 1) 0 else var(x) }
dml_sd <- function(x) sqrt(dml_var(x))

# seq(from, to, incr) as an expression (DML.md 7.1); returns an N x 1 matrix.
dml_seq <- function(from, to, incr = if (from <= to) 1 else -1) {
  t <- floor(to / incr - from / incr)
  n <- t + 1
  nxt <- from + (t + 1) * incr
  if ((incr > 0 && nxt <= to) || (incr < 0 && nxt >= to)) n <- n + 1
  matrix(from + (seq_len(n) - 1) * incr, ncol = 1)
}

# for-loop iteration values of `for (i in a:b)` / seq(a, b, incr) (DML.md 4.8).
dml_range <- function(a, b, incr = NULL) {
  if (is.null(incr)) incr <- if (a <= b) 1 else -1
  if ((incr > 0 && a > b) || (incr < 0 && a < b) || incr == 0) return(numeric(0))
  seq(a, b, by = incr)
}

# Column-wise cumulative sum/product keeping the matrix shape.
dml_cumsum <- function(X) { X <- as.matrix(X); for (j in seq_len(ncol(X))) X[, j] <- cumsum(X[, j]); X }
dml_cumprod <- function(X) { X <- as.matrix(X); for (j in seq_len(ncol(X))) X[, j] <- cumprod(X[, j]); X }

# Row/column aggregates as matrices of DML's shapes.
col_vec <- function(v) matrix(v, ncol = 1)
row_vec <- function(v) matrix(v, nrow = 1)

# rev(X): reverse the row order.
dml_rev <- function(X) { X <- as.matrix(X); X[rev(seq_len(nrow(X))), , drop = FALSE] }
