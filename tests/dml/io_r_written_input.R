source("common.R")
tmp <- commandArgs(trailingOnly = TRUE)[1]
X <- outer(1:5, 1:3, function(i, j) sin(i * j) * 10^(j - 2))
write.table(format(X, digits = 17), file.path(tmp, "in.csv"), sep = ",", row.names = FALSE,
            col.names = FALSE, quote = FALSE)
pm(X); pm(row_vec(colSums(X)))
