# tol: rtol=1e-12, atol=1e-12
source("common.R")
n <- 17
Tr <- outer(1:n, 1:3, function(i, j) ((i*j*5 + i*3 + j*7) %% 17) / 8)
Te <- outer(1:6, 1:3, function(i, j) ((i*j*3 + i*5 + j*2) %% 17) / 8)
Yc <- ((1:n * 5) %% 3) + 1
Yr <- ((1:n * 1:n) %% 7) / 2 + (1:n) / 8
sqd <- function(a, b) sum((a - b)^2)
# neighbour indexes: nearest first, equal distances -> smaller index (stable order)
nbrs <- function(Q, R, k, self = FALSE) {
  matrix(unlist(lapply(seq_len(nrow(Q)), function(i) {
    d <- sapply(seq_len(nrow(R)), function(r) sqd(Q[i, ], R[r, ]))
    if (self) d[i] <- Inf
    order(d)[1:k]
  })), ncol = k, byrow = TRUE)
}
vote <- function(l) { tb <- tabulate(l, max(Yc)); max(which(tb == max(tb))) }
pred <- function(y, I, type, tg) {
  apply(I, 1, function(ix) { v <- y[ix]; if (type == 2) vote(v) else if (tg == 1) median(v) else mean(v) })
}
err <- function(p, y, type) if (type == 2) sum(p != y) else sum((p - y)^2)
loo <- function(X, y, mask, k, type, tg) {
  Xf <- X[, mask == 1, drop = FALSE]
  err(pred(y, nbrs(Xf, Xf, k, TRUE), type, tg), y, type)
}
# 1: categorical, k = 3
I <- nbrs(Te, Tr, 3); pm(I); pm(t(pred(Yc, I, 2, 0))); p(0, 0)
# 2: continuous mean
pm(t(pred(Yr, nbrs(Te, Tr, 4), 1, 0)))
# 3: median with features mapped to [-1, 1]
mn <- apply(Tr, 2, min); rg <- apply(Tr, 2, max) - mn; rg[rg == 0] <- 1
Trs <- 2 * sweep(sweep(Tr, 2, mn), 2, rg, "/") - 1
Tes <- 2 * sweep(sweep(Te, 2, mn), 2, rg, "/") - 1
I <- nbrs(Tes, Trs, 4); pm(I); pm(t(pred(Yr, I, 1, 1)))
# 4: k selection by leave-one-out
errs <- sapply(1:8, function(k) loo(Tr, Yc, rep(1, 3), k, 2, 0))
kb <- which.min(errs)
p("k", kb)
pm(t(pred(Yc, nbrs(Te, Tr, kb), 2, 0)))
# 5: greedy forward feature selection + importance
fsel <- function(mask, fmax, k) {
  cur <- if (sum(mask) > 0) loo(Tr, Yr, mask, k, 1, 0) else Inf
  while (sum(mask) < min(fmax, 3)) {
    cand <- which(mask == 0)
    e <- sapply(cand, function(f) { m <- mask; m[f] <- 1; loo(Tr, Yr, m, k, 1, 0) })
    if (min(e) < cur) { mask[cand[which.min(e)]] <- 1; cur <- min(e) } else break
  }
  if (sum(mask) == 0) mask[] <- 1
  mask
}
mask <- fsel(c(0, 0, 0), 3, 2)
pm(t(pred(Yr, nbrs(Te[, mask == 1, drop = FALSE], Tr[, mask == 1, drop = FALSE], 2), 1, 0)))
base <- loo(Tr, Yr, mask, 2, 1, 0)
fi <- sapply(1:3, function(f) if (mask[f] == 1 && sum(mask) > 1) { m <- mask; m[f] <- 0; loo(Tr, Yr, m, 2, 1, 0) - base } else 0)
pm(t(fi))
mask <- fsel(c(0, 0, 1), 3, 3)
pm(t(pred(Yr, nbrs(Te[, mask == 1, drop = FALSE], Tr[, mask == 1, drop = FALSE], 3), 1, 0)))
for (tp in c(2, 1)) {
  y <- if (tp == 2) Yc else Yr; k <- if (tp == 2) 3 else 2
  base <- loo(Tr, y, c(1, 1, 1), k, tp, 0)
  pm(t(sapply(1:3, function(f) { m <- c(1, 1, 1); m[f] <- 0; loo(Tr, y, m, k, tp, 0) - base })))
}
