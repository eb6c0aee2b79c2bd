source("common.R"); source("lib/sp_oracles.R")
tmp <- commandArgs(trailingOnly = TRUE)[1]
# IJV: cells out of order, one duplicate (last wins), an explicit zero line
i <- c(30, 1, 17, 5, 5, 12, 3, 30); j <- c(12, 1, 4, 9, 9, 6, 3, 1); v <- c(2.5, -1, 1e-3, 7, 8, 0, 1e6, -0.125)
writeLines(sprintf("%d %d %.17g", i, j, v), file.path(tmp, "a.ijv"))
A <- matrix(0, 30, 12); for (k in seq_along(i)) A[i[k], j[k]] <- v[k]
# Matrix Market general, 15 x 7, with a comment and trailing all-zero rows
bi <- c(2, 4, 4, 9, 11); bj <- c(7, 1, 3, 5, 2); bv <- c(3.25, -2, 0.5, 1e-8, -7)
writeLines(c("%%MatrixMarket matrix coordinate real general", "% written by R",
             sprintf("15 7 %d", length(bi)), sprintf("%d %d %.17g", bi, bj, bv)), file.path(tmp, "b.mtx"))
B <- matrix(0, 15, 7); B[cbind(bi, bj)] <- bv
# csv with empty fields for zeros
C <- matrix(0, 6, 5); C[1, 5] <- 4; C[3, 2] <- -1.5; C[6, 1] <- 9; C[4, 4] <- NaN
lines <- apply(C, 1, function(r) paste(ifelse(!is.nan(r) & r == 0, "", ifelse(is.nan(r), "NaN", sprintf("%.17g", r))), collapse = ","))
writeLines(lines, file.path(tmp, "c.csv"))
ps(A); pm(row_vec(colSums(A))); p(15, 7); ps(B); pm(t(rowSums(B))); p(6, 5); ps(C)
p(sum(A), sum(B), sum(C))
