source("common.R")
rcsv <- function(f, ...) as.matrix(read.csv(f, header = FALSE, ...))

X <- as.matrix(read.csv("data/m_mtd.csv", sep = "|")); p(nrow(X), ncol(X)); pm(X)
