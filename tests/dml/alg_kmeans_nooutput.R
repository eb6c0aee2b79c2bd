source("common.R")
cat("K-means: No output is produced. Try increasing the number of iterations and/or lower eps.\n")
p(0, 0, 0, 0)
