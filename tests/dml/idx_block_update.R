source("common.R")

B <- matrix(0, 6, 6)
for (bi in 1:3) for (bj in 1:3) {
  r0 <- (bi - 1) * 2 + 1; c0 <- (bj - 1) * 2 + 1
  B[r0:(r0 + 1), c0:(c0 + 1)] <- bi * 10 + bj + diag(0.5, 2)
}
pm(B); pm(B[3:4, ]); pm(matrix(B[, 5], 1))
