source("common.R")
rcsv <- function(f, ...) as.matrix(read.csv(f, header = FALSE, ...))

X <- rcsv("data/m_na.csv", na.strings = c("NA", "?")); pm(X); p(sum(is.na(X)))
