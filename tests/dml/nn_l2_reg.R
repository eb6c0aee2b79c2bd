source("common.R")
source("lib/nn_data.R")
X <- gen(4, 3, 7, 13, 29, 101) * 5; lambda <- 0.3
p(lambda / 2 * norm(X, "F")^2)
pm(lambda * X)
p(TRUE)
