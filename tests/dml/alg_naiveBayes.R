# tol: rtol=1e-12, atol=1e-12
source("common.R")
n <- 30; m <- 5
C <- 1 + ((1:n * 7) %% 3)
D <- outer(1:n, 1:m, function(i, j) (i * j * 3 + j * 5 + i) %% 7)
D[4, ] <- 0
nb <- function(D, C, laplace) {
  K <- max(C)
  cnt <- t(sapply(1:K, function(k) colSums(D[C == k, , drop = FALSE])))
  list(prior = sapply(1:K, function(k) sum(C == k)) / nrow(D),
       cc = (cnt + laplace) / (rowSums(cnt) + ncol(D) * laplace))
}
nbp <- function(X, P, CC) cbind(X, 1) %*% t(log(cbind(CC, P)))
r <- nb(D, C, 1)
pm(t(r$prior)); pm(r$cc)
YR <- nbp(D[1:8, ], r$prior, r$cc); pm(YR); pm(t(dml_rowIndexMax(YR)))
C2 <- C + (C == 3)
r2 <- nb(D, C2, 0.5)
pm(t(r2$prior)); pm(r2$cc)
YR2 <- nbp(D[1:8, ], r2$prior, r2$cc); pm(YR2); pm(t(dml_rowIndexMax(YR2)))
r3 <- nb(D, C, 1)
acc <- 100 * mean(dml_rowIndexMax(nbp(D, r3$prior, r3$cc)) == C)
p("naiveBayes: training accuracy", acc, "%")
p(sum(r3$cc))
