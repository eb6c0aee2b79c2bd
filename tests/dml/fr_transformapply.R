source("common.R")
tr1 <- c("a", "b", "a"); tr2 <- c(1, 5, 9); tr3 <- c("x", "y", "x")
te1 <- c("b", "c", "a", "a"); te2 <- c(3, 9, 0, 12); te3 <- c("y", "x", "q", "y")
l1 <- unique(tr1); l3 <- unique(tr3)
bmax <- min(tr2) + (1:2) * (max(tr2) - min(tr2)) / 2
bin <- function(x) pmax(1, sapply(x, function(y) min(c(which(bmax >= y), 2))))
oh <- function(x, lv) outer(match(x, lv), seq_along(lv), "==") * 1
ohz <- function(x, lv) { m <- oh(x, lv); m[is.na(m)] <- 0; m }
pm(cbind(match(tr1, l1), bin(tr2), ohz(tr3, l3)))
pm(cbind(match(te1, l1), bin(te2), ohz(te3, l3)))
