source("common.R")
rcsv <- function(f, ...) as.matrix(read.csv(f, header = FALSE, ...))

X <- as.matrix(read.csv("data/m_header.csv", header = TRUE)); p(nrow(X), ncol(X)); pm(X)
