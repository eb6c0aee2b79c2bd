source("common.R")
n <- 40
X <- outer(1:n, 1:2, function(i, j) sin(i * (j + 0.37) * 1.7) + cos(i * j * 0.9))
tomek <- function(X, y) {
  D <- as.matrix(dist(X)); diag(D) <- Inf
  nn <- apply(D, 1, function(d) { w <- which(d == min(d)); if (length(w) > 1) stop("tie"); w })
  tb <- table(y); lab <- as.numeric(names(tb)); maj <- max(lab[tb == max(tb)])
  link <- nn[nn] == seq_len(nrow(X)) & y[nn] != y
  drop <- which(link & y == maj)
  list(drop = drop, X = X[-drop, , drop = FALSE], y = y[-drop])
}
y <- as.numeric((1:n * 5) %% 3 == 0) + 1
r <- tomek(X, y); pm(row_vec(r$drop)); pm(r$X); pm(row_vec(r$y))
y2 <- as.numeric((1:n * 7) %% 5 != 0)
r <- tomek(X, y2); pm(row_vec(r$drop)); pm(row_vec(r$y))
