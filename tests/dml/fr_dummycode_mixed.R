source("common.R")
oh <- function(x) { c <- as.numeric(factor(x, levels = unique(x))); outer(c, 1:max(c), "==") * 1 }
a <- c(1, 2, 3, 4); b <- c("u", "v", "u", "w"); cc <- c(10, 20, 30, 40); d <- c("p", "q", "r", "p")
X <- cbind(a, oh(b), cc, oh(d))
p(ncol(X))
pm(X)
