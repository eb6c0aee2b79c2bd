# R oracle of pf_opt_partitioners.dml (the same values computed sequentially).
source("common.R")
n <- 37
W <- dml_matrix(1:(3 * n), n, 3)
row <- function(i) (1:3) * i + sqrt(i)
R <- matrix(0, n, 3)
for (i in 1:n) if (i %% 4 != 0) R[i, ] <- row(i)
for (name in c("FIXED1", "FIXED5", "FIXED37", "FIXED100", "NAIVE", "STATIC", "FACTORING", "CMIN4", "CMAX3", "GSS", "TSS", "STATIC3", "GSS5", "TSS2", "NAIVE_NONE", "CMIN_NONE", "lowercase")) p(name, sum(R * W), sum(R == 0), 4 * (1 + sum(1:n)))
D <- matrix(-1, n, 3)
for (i in seq(n, 1, -2)) D[i, ] <- row(i)
for (name in c("DOWN_FIXED", "DOWN_FACTORING", "DOWN_STATIC", "DOWN_TSS", "DOWN_GSS")) p(name, sum(D * W), sum(D == -1), 4 * (1 + sum(seq(n, 1, -2))))
