source("common.R")
rcsv <- function(f, ...) as.matrix(read.csv(f, header = FALSE, ...))

pm(rcsv("data/m_semi.csv", sep = ";")); pm(rcsv("data/m_spaces.csv"))
