# sp_oracles.R - data and printing helpers for the oracles of tests/dml/sp_*.R
# (sparse inputs and edge cases of the builtins; source("common.R") first).
#
# The sparse test matrices are built from formulas that the DML side computes
# identically (row-major reshapes of seq(), masks by %% on positive values,
# masks by row/column index through broadcasting), never by rand():
#
#   S  20 x 10, 24 non-zeros (12 %), signed, row 5 and column 3 all zero,
#      non-zeros in the first/last row and column:
#        S = matrix(seq(1, 200), 20, 10)
#        S = S * (S %% 7 == 0) * (seq(1, 20) != 5) * (t(seq(1, 10)) != 3)
#        S = S - 2 * S * (S %% 2 == 0)
#   T  20 x 10, 18 non-zeros (9 %), positive, rows 9 and 20 all zero, filled
#      column-major; 3 cells overlap with S:
#        T = matrix(seq(1, 200), rows=20, cols=10, byrow=FALSE)
#        T = T * (T %% 11 == 0) / 11
#   D  20 x 10 dense, no zero cell:
#        D = matrix(seq(1, 200), 20, 10) / 10 - 7.05
#   cv 20 x 1 sparse column (multiples of 4):  cv = seq(1, 20) * (seq(1, 20) %% 4 == 0)
#   rv 1 x 10 sparse row (1, 4, 7, 10):        rv = t(seq(1, 10) * (seq(1, 10) %% 3 == 1))
#   SN S with S[3,4] = NaN, S[8,2] = Inf, S[12,9] = -Inf (S[12,9] was 119)

sp_S <- function() {
  S <- dml_matrix(1:200, 20, 10)
  S <- S * (S %% 7 == 0)
  S[5, ] <- 0
  S[, 3] <- 0
  S - 2 * S * (S %% 2 == 0)
}
sp_T <- function() { T <- matrix(1:200, 20, 10); T * (T %% 11 == 0) / 11 }
sp_D <- function() dml_matrix(1:200, 20, 10) / 10 - 7.05
sp_cv <- function() { v <- 1:20; matrix(v * (v %% 4 == 0), ncol = 1) }
sp_rv <- function() { v <- 1:10; matrix(v * (v %% 3 == 1), nrow = 1) }
sp_SN <- function() { S <- sp_S(); S[3, 4] <- NaN; S[8, 2] <- Inf; S[12, 9] <- -Inf; S }

# ps(M): the rendering of toString(M, sparse=TRUE): one "i j value" line per
# non-zero cell (NaN counts as non-zero) in row-major order.
ps <- function(M) {
  M <- as.matrix(M)
  if (is.logical(M)) M <- M * 1
  for (i in seq_len(nrow(M))) for (j in seq_len(ncol(M))) {
    v <- M[i, j]
    if (is.nan(v) || v != 0) cat(i, " ", j, " ", fmt(v), "\n", sep = "")
  }
}

# pdim(M): "rows cols" as printed by DML  print(nrow(M) + " " + ncol(M)).
pdim <- function(M) p(nrow(M), ncol(M))

# nnz(M): number of non-zero cells (NaN counts).
nnz <- function(M) sum(is.nan(M) | M != 0)

# Aggregates of DML over a matrix: NaN propagates through min/max
# (R's min/max already do; this makes the intent explicit).
dml_rowMaxs <- function(M) col_vec(apply(as.matrix(M), 1, max))
dml_rowMins <- function(M) col_vec(apply(as.matrix(M), 1, min))
dml_colMaxs <- function(M) row_vec(apply(as.matrix(M), 2, max))
dml_colMins <- function(M) row_vec(apply(as.matrix(M), 2, min))
dml_rowVars <- function(M) col_vec(apply(as.matrix(M), 1, dml_var))
dml_colVars <- function(M) row_vec(apply(as.matrix(M), 2, dml_var))
dml_rowProds <- function(M) col_vec(apply(as.matrix(M), 1, prod))
dml_colProds <- function(M) row_vec(apply(as.matrix(M), 2, prod))

# Column-wise cumulative min/max keeping the shape.
dml_cummin <- function(X) { X <- as.matrix(X); for (j in seq_len(ncol(X))) X[, j] <- cummin(X[, j]); X }
dml_cummax <- function(X) { X <- as.matrix(X); for (j in seq_len(ncol(X))) X[, j] <- cummax(X[, j]); X }
