source("common.R")
source("lib/nn_data.R")
N <- 4; D <- 5; M <- 3
X <- gen(N, D, 7, 13, 29, 101)
W <- gen(D, M, 5, 3, 11, 37) * 2
b <- gen(1, M, 3, 1, 7, 17)
G <- gen(N, M, 11, 2, 5, 23)
out <- X %*% W + matrix(b, N, M, byrow = TRUE)
pm(out)
# gradients of L = sum(out * G), cell by cell from the definition
dX <- matrix(0, N, D); dW <- matrix(0, D, M); db <- matrix(0, 1, M)
for (n in 1:N) for (m in 1:M) {
  db[1, m] <- db[1, m] + G[n, m]
  for (d in 1:D) {
    dX[n, d] <- dX[n, d] + G[n, m] * W[d, m]
    dW[d, m] <- dW[d, m] + G[n, m] * X[n, d]
  }
}
pm(dX); pm(dW); pm(db)
p(TRUE); p(TRUE); p(TRUE)
