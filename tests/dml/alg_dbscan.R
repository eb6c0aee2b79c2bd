source("common.R")
dbscan_R <- function(X, eps, minPts) {
  n <- nrow(X)
  D <- as.matrix(dist(X))
  N <- lapply(1:n, function(i) which(D[i, ] <= eps))   # includes i itself
  core <- sapply(N, length) >= minPts
  lab <- rep(0, n); cid <- 0
  # clusters of core points by breadth-first search over core neighbours
  for (i in which(core)) {
    if (lab[i] != 0) next
    cid <- cid + 1; lab[i] <- cid; queue <- i
    while (length(queue) > 0) {
      j <- queue[1]; queue <- queue[-1]
      for (q in N[[j]]) if (core[q] && lab[q] == 0) { lab[q] <- cid; queue <- c(queue, q) }
    }
  }
  # border points: cluster of their core neighbour with the largest index
  for (i in which(!core)) {
    cn <- N[[i]][core[N[[i]]]]
    if (length(cn) > 0) lab[i] <- lab[max(cn)]
  }
  # cluster id = largest row index of the cluster
  out <- rep(0, n)
  for (c in unique(lab[lab > 0])) out[lab == c] <- max(which(lab == c))
  out
}
X <- dml_matrix(c(3, 3, 0, 0, 20, 20, 0.3, 0, 10, 0, 3.3, 3, 0, 0.3, 0.75, 0.3, 10.3, 0, 11.2, 0,
  0.3, 0.3, 3, 3.3, 10, 0.3, 10.75, 0.3, 0.15, 0.15, 3.3, 3.3, 10.3, 0.3, 5, -5,
  11.5, 0, 3.15, 3.15, 11.2, 0.3, 11.5, 0.3, 3.75, 3.3), 23, 2)
m <- dbscan_R(X, 0.5, 4)
pm(t(m))
pm(X[m > 0, ])
m2 <- dbscan_R(X, 0.35, 3)
pm(t(m2))
p(sum(m2 > 0))
