source("common.R")
rcsv <- function(f, ...) as.matrix(read.csv(f, header = FALSE, ...))

pm(dml_matrix(c(NaN, Inf, -Inf, 1e5, 3, -0.25), 2, 3))
