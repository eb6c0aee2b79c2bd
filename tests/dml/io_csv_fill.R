source("common.R")
rcsv <- function(f, ...) as.matrix(read.csv(f, header = FALSE, ...))

X <- rcsv("data/m_fill.csv"); Y <- X
X[is.na(X)] <- 0; Y[is.na(Y)] <- -1; pm(X); pm(Y)
