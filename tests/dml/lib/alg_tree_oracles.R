# alg_tree_oracles.R - reference CART for the oracles of tests/dml/alg_tree*.R and
# alg_forest*.R (source("common.R") first).
#
# Written directly from the rules of DML.md §10.2 (decisionTree), without
# randomness (max_features = max_values = 1):
#  * X holds positive integers; a split is the test X[,f] <= v with v a value of
#    feature f present in the node and below the node's maximum of f;
#  * nodes are numbered in heap order (root 1, children 2i, 2i+1), the root has
#    depth 1; a node becomes a leaf if it is at max_depth, has < min_split rows,
#    or no split with both children >= min_leaf rows has a positive gain;
#  * gain = m*imp(node) - nL*imp(left) - nR*imp(right), imp = gini 1 - sum p^2,
#    entropy -sum p ln p, or (regression) the mean squared deviation (computed
#    from the labels centred by their overall mean); the best
#    split is the first maximum in (feature, value) order; it must exceed
#    1e-12 * scale (scale: m for gini, m*max(1, ln m) for entropy, the node's
#    sum of squared centred labels for rss);
#  * leaf label: the most frequent class (ties -> largest label) or the mean;
#  * the model is a 1 x 2*(2^d - 1) vector, node i at 2i-1 (feature, 0 = leaf)
#    and 2i (threshold or leaf label).
# The gains use the same arithmetic (integer statistics, then the same few
# floating-point operations) as the DML script. Gini gains are computed from
# integer counts by the identical IEEE operations on both sides, so even exact
# ties resolve identically; for entropy and rss (sums of logarithms / real
# labels, summed in a different order) tree_fit stops if two different candidate
# splits come within 1e-9 * scale of each other (an ambiguous test case).

xlx <- function(c) c * log(c + (c == 0))

tree_fit <- function(X, y, classify, impurity = "gini", max_depth = 10,
                     min_leaf = 20, min_split = 50) {
  n <- nrow(X); nf <- ncol(X)
  K <- if (classify) max(y) else 0
  imp <- if (!classify) 3 else if (impurity == "gini") 1 else 2
  # regression: labels centred by their overall mean (gains are shift invariant)
  mu <- 0
  if (!classify) { mu <- sum(y) / n; y <- y - mu }
  feat <- numeric(0); val <- numeric(0)
  nodeOf <- rep(1, n); active <- 1; level <- 1; depth <- 0
  while (level <= max_depth && length(active) > 0) {
    depth <- level
    nxt <- c()
    for (id in active) {
      idx <- which(nodeOf == id); m <- length(idx); yn <- y[idx]
      if (classify) {
        Pt <- tabulate(yn, K)
        label <- max(which(Pt == max(Pt)))
      } else {
        label <- mu + sum(yn) / m
      }
      best <- NULL
      if (level < max_depth && m >= min_split && m >= 2) {
        cf <- c(); cv <- c(); cg <- c(); ckey <- c()
        if (imp == 1) { scale <- m; parent <- sum(Pt^2) / m }
        if (imp == 2) scale <- m * max(1, log(m))
        if (imp == 3) { S <- sum(yn); scale <- sum(yn^2) }
        for (f in 1:nf) {
          xs <- X[idx, f]
          vals <- sort(unique(xs))
          vals <- vals[vals < max(xs)]
          for (v in vals) {
            left <- xs <= v
            nL <- sum(left); nR <- m - nL
            if (nL < min_leaf || nR < min_leaf) next
            if (imp == 1) {
              cL <- tabulate(yn[left], K); cR <- Pt - cL
              g <- (sum(cL^2) / nL + sum(cR^2) / nR) - parent
              key <- paste(c(cL, cR), collapse = ",")
            } else if (imp == 2) {
              cL <- tabulate(yn[left], K); cR <- Pt - cL
              g <- (m * log(m) - sum(xlx(Pt))) -
                ((xlx(nL) - sum(xlx(cL))) + (xlx(nR) - sum(xlx(cR))))
              # mirrored splits (L and R swapped) tie exactly on both sides
              kl <- paste(cL, collapse = ","); kr <- paste(cR, collapse = ",")
              key <- paste(sort(c(kl, kr)), collapse = "|")
            } else {
              sL <- sum(yn[left]); sR <- S - sL
              g <- (sL^2 / nL + sR^2 / nR) - S^2 / m
              key <- paste(which(left), collapse = ",")
            }
            cf <- c(cf, f); cv <- c(cv, v); cg <- c(cg, g); ckey <- c(ckey, key)
          }
        }
        if (length(cg) > 0) {
          maxg <- max(cg)
          near <- which(cg >= maxg - 1e-9 * scale)
          if (imp != 1 && maxg > 1e-10 * scale && length(unique(ckey[near])) > 1)
            stop(sprintf("ambiguous tie at node %d: %s", id, paste(ckey[near], collapse = " | ")))
          if (maxg > 1e-13 * scale && maxg < 1e-10 * scale)
            stop(sprintf("borderline gain at node %d", id))
          if (maxg > 1e-12 * scale) best <- which(cg == maxg)[1]
        }
      }
      if (!is.null(best)) {
        f <- cf[best]; v <- cv[best]
        feat[id] <- f; val[id] <- v
        nodeOf[idx] <- 2 * id + (X[idx, f] > v)
        nxt <- c(nxt, 2 * id, 2 * id + 1)
      } else {
        feat[id] <- 0; val[id] <- label
      }
    }
    active <- nxt
    level <- level + 1
  }
  nn <- 2^depth - 1
  Mv <- rep(0, 2 * nn)
  for (i in seq_along(feat)) {
    if (!is.na(feat[i])) { Mv[2 * i - 1] <- feat[i]; Mv[2 * i] <- val[i] }
  }
  matrix(Mv, nrow = 1)
}

# traverse the tree for every row of X
tree_predict <- function(X, M) {
  apply(X, 1, function(x) {
    i <- 1
    while (M[2 * i - 1] > 0) {
      i <- if (x[M[2 * i - 1]] <= M[2 * i]) 2 * i else 2 * i + 1
    }
    M[2 * i]
  })
}

tree_depth <- function(M) round(log2(length(M) / 2 + 1))

# forest model: rows [mask (nf), tree zero-padded]
forest_predict <- function(X, Mf, classify) {
  nf <- ncol(X)
  P <- sapply(seq_len(nrow(Mf)), function(t) {
    mask <- Mf[t, 1:nf] != 0
    tree_predict(X[, mask, drop = FALSE], Mf[t, (nf + 1):ncol(Mf)])
  })
  P <- matrix(P, nrow = nrow(X))
  if (classify) {
    apply(P, 1, function(r) {
      tb <- table(r)
      max(as.numeric(names(tb))[tb == max(tb)])
    })
  } else {
    rowMeans(P)
  }
}

# data: positive integers from formulas both sides compute
tree_X <- function(n, nf, k) {
  i <- 1:n
  outer(i, 1:nf, function(i, j) dml_mod(i * j * 7 + i * 13 + j * 29, k) + 1)
}
