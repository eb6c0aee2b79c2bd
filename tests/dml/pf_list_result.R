# R oracle of pf_list_result.dml (the same values computed sequentially).
source("common.R")
for (i in 1:7) p(if (i != 4) i * 2.5 else 0)
for (i in 1:5) {
  M <- if (i != 3) dml_matrix(1:4, 2, 2) * i - diag(i, 2) else matrix(1, 2, 2)
  pm(M)
}
p(0, 200, 0, 400)
pm((1:3) / 4)
p(-1.25)
p("set")
X <- dml_matrix(1:12, 4, 3)
pm(X / rowSums(X))
