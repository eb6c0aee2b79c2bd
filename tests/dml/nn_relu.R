source("common.R")
source("lib/nn_data.R")
X <- gen(4, 6, 7, 13, 29, 101) * 6
G <- gen(4, 6, 11, 2, 5, 23)
pm(pmax(X, 0))
pm(ifelse(X > 0, G, 0))
p(TRUE)
