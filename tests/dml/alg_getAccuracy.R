source("common.R")
n <- 20
y <- ((1:n * 7) %% 3) - 1
yhat <- ((1:n * 7 + (1:n %% 4 == 0)) %% 3) - 1
y[2] <- 2.5
simple <- mean(y == yhat)
balanced <- mean(sapply(sort(unique(y)), function(c) mean(yhat[y == c] == c)))
p(simple); p(simple); p(balanced); p(1)
