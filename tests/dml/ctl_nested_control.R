source("common.R")
res <- 0
for (i in 1:10) {
  if (i %% 2 == 0) { for (j in 1:i) { if (j > 3) res <- res + j else res <- res - 1 } }
  else if (i %% 3 == 0) res <- res + 100
}
p(res)
