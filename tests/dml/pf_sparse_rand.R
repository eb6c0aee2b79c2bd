# R oracle of pf_sparse_rand.dml (the same values computed sequentially).
source("common.R")
nr <- 200
r <- 1:nr
p(0)
p(0)
p(0)
m10 <- r %% 10 == 0
m3 <- r %% 3 == 0 & r %% 10 != 0
pm(row_vec(ifelse(m10, r + 0.5, 0)))
p(2 * sum(m10))
p(-sum(r[m3]))
p(sum(m3))
p(0)
p(0)
p(0)
p(0)
p(0)
