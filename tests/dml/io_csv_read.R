source("common.R")
rcsv <- function(f, ...) as.matrix(read.csv(f, header = FALSE, ...))

X <- rcsv("data/m.csv"); p(3, 3); pm(X); p(0)
