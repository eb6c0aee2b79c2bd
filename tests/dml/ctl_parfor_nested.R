source("common.R")
pm(outer(1:4, 1:3, function(i, j) i * 10 + j))
