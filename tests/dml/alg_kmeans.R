# tol: rtol=1e-10, atol=1e-10
source("common.R")
n <- 36
i <- 1:n; g <- (i - 1) %% 3
X <- cbind(10 * (g == 1) + 3 * (g == 2) + ((i * 7 + 3) %% 11) / 11 - 0.5,
           2 * (g == 1) + 12 * (g == 2) + ((i * 13 + 5) %% 17) / 17 - 0.5)
km <- kmeans(X, centers = rbind(c(0, 0), c(10, 2), c(3, 12)), algorithm = "Lloyd", iter.max = 100)
C <- km$centers[order(km$centers[, 1]), ]
p(3, 2, n, 1)
pm(C)
p(km$tot.withinss)
pm(t(km$centers[km$cluster, 1]))
pm(C)
p(0)
pm(C)
