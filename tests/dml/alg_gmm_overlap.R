# tol: rtol=1e-7, atol=1e-9
source("common.R")
n <- 40
i <- 1:n
u <- ((i * 7 + 3) %% 11) / 11 - 0.5
v <- ((i * 13 + 5) %% 17) / 17 - 0.5
w <- ((i * 5 + 1) %% 13) / 13 - 0.5
X <- cbind(ifelse(i %% 2 == 0, 3 * u + w, 2 + 2 * v), ifelse(i %% 2 == 0, 2 * v - w, 1.5 + 3 * w + u))
K <- 2; d <- 2
km <- kmeans(X, centers = rbind(c(0, 0), c(2, 1.5)), algorithm = "Lloyd", iter.max = 100)
R0 <- outer(km$cluster, 1:K, "==") * 1
pchol <- function(S) t(solve(t(chol(S))))
mstep <- function(R, model, reg = 1e-6) {
  nk <- colSums(R) + 10 * .Machine$double.eps
  mu <- t(R) %*% X / nk
  covs <- lapply(1:K, function(k) { D <- sweep(X, 2, mu[k, ]); t(D * R[, k]) %*% D / nk[k] })
  pc <- if (model == "VVV") lapply(covs, function(S) pchol(S + reg * diag(d)))
        else sapply(covs, function(S) 1 / sqrt(mean(diag(S)) + reg))
  list(w = nk / sum(nk), mu = mu, pc = pc)
}
estep <- function(par, model) {
  L <- sapply(1:K, function(k) {
    D <- sweep(X, 2, par$mu[k, ])
    P <- if (model == "VVV") par$pc[[k]] else diag(par$pc[k], d)
    -0.5 * (d * log(2 * pi) + rowSums((D %*% P)^2)) + sum(log(diag(P))) + log(par$w[k])
  })
  lse <- apply(L, 1, function(r) { m <- max(r); m + log(sum(exp(r - m))) })
  list(lb = mean(lse), R = exp(L - lse))
}
for (model in c("VVV", "VII")) {
  par <- mstep(R0, model); lb <- -Inf
  for (it in 1:100) {
    prev <- lb; e <- estep(par, model); lb <- e$lb
    par <- mstep(e$R, model)
    if (abs(lb - prev) < 1e-10) break
  }
  e <- estep(par, model)
  o <- order(par$mu[, 1])
  df <- (if (model == "VVV") K * d * (d + 1) / 2 else K) + K * d + K - 1
  p(model, "df=", df, "bic=", -2 * n * e$lb + df * log(n))
  pm(par$mu[o, ])
  pm(t(par$w[o]))
  if (model == "VVV") for (k in o) pm(par$pc[[k]]) else pm(par$pc[o])
  pm(t(e$R[, o]))
  message(model, " iterations ", it)
}
p(40, 3, 3, 2, "df=", 3 * 2 + 3 * 2 + 2)
p(TRUE); p(TRUE); p(0)
