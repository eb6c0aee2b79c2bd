source("common.R")
S <- matrix(0, 4, 5); total <- 0
for (i in 1:4) for (j in i:5) { S[i, j] <- i * j + 0.5; total <- total + i * j }
pm(S); p(total)
