# tol: rtol=1e-8, atol=1e-10
source("common.R")
n <- 45
i <- 1:n; g <- (i - 1) %% 3
u <- ((i * 7 + 3) %% 11) / 11 - 0.5
v <- ((i * 13 + 5) %% 17) / 17 - 0.5
X <- cbind(ifelse(g == 0, 2 * u + 0.5 * v, ifelse(g == 1, 8 + 0.5 * u, 3 + u + v)),
           ifelse(g == 0, u + 0.3 * v, ifelse(g == 1, 1 + 2 * v, 9 + u - 0.8 * v)))
K <- 3; d <- 2
# initial hard responsibilities: the generating groups, ordered by mean x
R0 <- outer(g, c(0, 2, 1), "==") * 1
pchol <- function(S) t(solve(t(chol(S))))    # upper P, P P' = S^-1
mstep <- function(R, model, reg = 1e-6) {
  nk <- colSums(R) + 10 * .Machine$double.eps
  w <- nk / sum(nk)
  mu <- t(R) %*% X / nk
  covs <- lapply(1:K, function(k) { D <- sweep(X, 2, mu[k, ]); t(D * R[, k]) %*% D / nk[k] })
  pc <- switch(model,
    VVV = lapply(covs, function(S) pchol(S + reg * diag(d))),
    EEE = pchol(Reduce(`+`, lapply(1:K, function(k) covs[[k]] * nk[k])) / sum(nk) + reg * diag(d)),
    VVI = t(sapply(covs, function(S) 1 / sqrt(diag(S) + reg))),
    VII = sapply(covs, function(S) 1 / sqrt(mean(diag(S)) + reg)))
  list(w = w, mu = mu, pc = pc)
}
estep <- function(par, model) {
  L <- sapply(1:K, function(k) {
    D <- sweep(X, 2, par$mu[k, ])
    P <- switch(model, VVV = par$pc[[k]], EEE = par$pc, VVI = diag(par$pc[k, ]), VII = diag(par$pc[k], d))
    Y <- D %*% P
    -0.5 * (d * log(2 * pi) + rowSums(Y^2)) + sum(log(diag(P))) + log(par$w[k])
  })
  lse <- apply(L, 1, function(r) { m <- max(r); m + log(sum(exp(r - m))) })
  list(lb = mean(lse), R = exp(L - lse))
}
for (model in c("VVV", "EEE", "VVI", "VII")) {
  par <- mstep(R0, model); lb <- -Inf
  for (it in 1:100) {
    prev <- lb
    e <- estep(par, model); lb <- e$lb
    par <- mstep(e$R, model)
    if (abs(lb - prev) < 1e-6) break
  }
  e <- estep(par, model)
  df <- switch(model, VVV = K * d * (d + 1) / 2, EEE = d * (d + 1) / 2, VVI = K * d, VII = K) + K * d + K - 1
  p(model, "df=", df, "bic=", -2 * n * e$lb + df * log(n))
  pm(par$mu)
  pm(t(par$w))
  if (model == "VVV") for (k in 1:K) pm(par$pc[[k]]) else if (model == "EEE") pm(par$pc) else pm(par$pc)
  pm(t(dml_rowIndexMax(e$R)))
  p(0)
  pm(e$R[1:6, ])
}
