source("common.R"); source("lib/sp_oracles.R")
tmp <- commandArgs(trailingOnly = TRUE)[1]
writeLines(c("1 1 0", "2 3 -0", "3 2 4.5", "6 5 0.0", "4 4 -1", "4 4 0", "5 1 2", "3 2 1.5"), file.path(tmp, "a.ijv"))
A <- matrix(0, 6, 5); A[3, 2] <- 1.5; A[5, 1] <- 2; A[4, 4] <- -1  # "4 4 0" is skipped (zero lines are skipped)
writeLines(c("%%MatrixMarket matrix coordinate real symmetric", "4 4 5", "1 1 2", "3 1 -1", "4 2 0",
             "4 4 7", "3 3 0.5"), file.path(tmp, "b.mtx"))
B <- matrix(0, 4, 4); B[1, 1] <- 2; B[3, 1] <- B[1, 3] <- -1; B[4, 4] <- 7; B[3, 3] <- 0.5
writeLines(c("%%MatrixMarket matrix coordinate pattern general", "3 6 4", "1 6", "3 1", "3 2", "2 4"), file.path(tmp, "c.mtx"))
C <- matrix(0, 3, 6); C[cbind(c(1, 3, 3, 2), c(6, 1, 2, 4))] <- 1
writeLines(c("0,-0,0.0,", ",3,,0", "0,0,0,0", "-2,,,1e-3"), file.path(tmp, "d.csv"))
D <- matrix(0, 4, 4); D[2, 2] <- 3; D[4, 1] <- -2; D[4, 4] <- 1e-3
p(sum(A != 0), 3, 3); ps(A); p(4, 4, sum(B != 0), 0); ps(B); p(3, 6, 4); ps(C)
p(4, 4, 3, 2); ps(D); pm(t(dml_rowIndexMax(D)))
