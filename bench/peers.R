# bench/peers.R - the R side (base R + Matrix) of the workloads of bench/run.py.
#
#   Rscript peers.R RCLOCK.so WORKLOAD key=value ...
#   e.g. Rscript peers.R build/bench/rclock.so colagg m=200000 n=200
#
# Builds the same data as the DML scripts in bench/dml/ (integer-hash formulas, exact in double
# precision) or reads the files of bench/gendata.py, times only the compute part with the monotonic
# clock of bench/rclock.c (Sys.time() is wall-clock time), and prints one line
#   BENCH seconds=S checksum=C [key=value ...]
# with the checksums the DML scripts print.

args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 2) stop("usage: Rscript peers.R RCLOCK.so WORKLOAD key=value ...")
dyn.load(args[1])
now <- function() .C("tsr_now", t = double(1))$t
workload <- args[2]
kv <- strsplit(args[-(1:2)], "=", fixed = TRUE)
p <- setNames(lapply(kv, `[`, 2), vapply(kv, `[`, "", 1))
num <- function(key) as.numeric(p[[key]])

# X[i,j] = ((i*j*7 + i*13 + j*29) %% 1009)/1009 - 0.5, one column at a time (no m x n temporaries).
xmat <- function(m, n) {
  i <- as.numeric(seq_len(m))
  X <- matrix(0, m, n)
  for (j in seq_len(n)) X[, j] <- ((i * j * 7 + i * 13 + j * 29) %% 1009) / 1009 - 0.5
  X
}
yvec <- function(m) {
  i <- as.numeric(seq_len(m))
  ((i * 17 + 3) %% 1013) / 1013 - 0.5
}
report <- function(secs, checksum, extra = "") {
  cat(sprintf("BENCH seconds=%.9g checksum=%.17g%s\n", secs, checksum, extra))
}

# -- the algorithm workloads of issue 7 (bench/peers.py alg_data has the formulas) ----------------
# K1, K2 integer matrices, X = K1/1009 + K2/1013 - 1, integer scores T[, k] (exact doubles).
alg_data <- function(m, n, K = 1) {
  i <- as.numeric(seq_len(m))
  K1 <- matrix(0, m, n)
  K2 <- matrix(0, m, n)
  for (j in seq_len(n)) {
    K1[, j] <- (i * j * 7 + i * 13 + j * 29) %% 1009
    K2[, j] <- (i * j * 3 + i * 5 + j * 11) %% 1013
  }
  X <- K1 / 1009 + K2 / 1013 - 1
  jj <- as.numeric(seq_len(n))
  T <- matrix(0, m, K)
  for (k in seq_len(K)) {
    a <- (4 * jj + 3 * k) %% 11 - 5
    b <- (7 * jj + 5 * k + 3) %% 11 - 5
    t <- drop(K1 %*% a + K2 %*% b) + 16 * ((i * 7919 + k * 104729) %% 2003 - 1001)
    T[, k] <- t - floor(sum(t) / m)
  }
  list(X = X, T = T)
}
kmeans_data <- function(m, d, k, scale) {
  i <- as.numeric(seq_len(m))
  X <- matrix(0, m, d)
  for (j in seq_len(d))
    X[, j] <- ((i * j * 7 + i * 13 + j * 29) %% 1009) / 1009 + ((i * j * 3 + i * 5 + j * 11) %% 1013) / 1013 - 1
  cc <- as.numeric(seq_len(k))
  M <- matrix(0, k, d)
  for (j in seq_len(d)) M[, j] <- scale * (((cc * j * 7 + cc * 13 + j * 29) %% 101) / 101 - 0.5)
  X + M[(seq_len(m) %% k) + 1, , drop = FALSE]
}
wcss <- function(X, C) {
  D <- -2 * tcrossprod(X, C) + rep(rowSums(C^2), each = nrow(X))
  sum(X^2) + sum(apply(D, 1, min))
}
ridge_objective <- function(X, y, b, reg) sum((y - X %*% b)^2) + reg * sum(b^2)
l2svm_objective <- function(X, y, w, reg) {
  h <- pmax(0, 1 - y * drop(X %*% w))
  0.5 * sum(h^2) + reg / 2 * sum(w^2)
}
poisson_deviance <- function(y, mu) 2 * sum(ifelse(y > 0, y * log(ifelse(y > 0, y, 1) / mu), 0) - (y - mu))

run <- list(
  ridge_cf = function() {
    m <- num("m"); n <- num("n"); lambda <- num("lambda")
    X <- xmat(m, n); y <- yvec(m)
    t0 <- now()
    beta <- solve(crossprod(X) + diag(lambda, n), crossprod(X, y))
    t1 <- now()
    report(t1 - t0, sum(abs(beta)))
  },
  ridge_cg = function() {
    m <- num("m"); n <- num("n"); lambda <- num("lambda"); iters <- num("iters")
    X <- xmat(m, n); y <- yvec(m)
    t0 <- now()
    w <- numeric(n)
    r <- -drop(crossprod(X, y))
    pv <- -r
    nr2 <- sum(r^2)
    for (it in seq_len(iters)) {
      q <- drop(crossprod(X, X %*% pv)) + lambda * pv
      a <- nr2 / sum(pv * q)
      w <- w + a * pv
      r <- r + a * q
      old <- nr2
      nr2 <- sum(r^2)
      pv <- -r + (nr2 / old) * pv
    }
    t1 <- now()
    report(t1 - t0, sum(abs(w)))
  },
  ewchain = function() {
    s <- as.numeric(seq_len(num("N")))
    X <- ((s * 7) %% 1009) / 1009
    Y <- ((s * 13) %% 1013) / 1013 - 0.5
    Z <- ((s * 29) %% 1019) / 1019
    rm(s)
    t0 <- now()
    r <- sum((X * 2 + Y)^2 / (Z + 1))
    t1 <- now()
    report(t1 - t0, r)
  },
  colagg = function() {
    X <- xmat(num("m"), num("n"))
    t0 <- now()
    cm <- colMeans(X)
    cv <- apply(X, 2, var)
    t1 <- now()
    report(t1 - t0, sum(abs(cm)) + sum(cv))
  },
  sparse = function() {
    suppressPackageStartupMessages(library(Matrix))
    m <- num("m"); n <- num("n"); iters <- num("iters")
    d <- scan(p[["file"]], what = list(0L, 0L, 0), quiet = TRUE)
    X <- sparseMatrix(i = d[[1]], j = d[[2]], x = d[[3]], dims = c(m, n))
    rm(d)
    v <- ((as.numeric(seq_len(n)) * 7) %% 1009) / 1009 - 0.5
    t0 <- now()
    for (it in seq_len(iters)) {
      q <- as.numeric(crossprod(X, X %*% v))
      v <- q / sqrt(sum(q^2))
    }
    t1 <- now()
    report(t1 - t0, sum(abs(v)))
  },
  csv = function() {
    t0 <- now()
    D <- read.csv(p[["file"]], header = FALSE, colClasses = "numeric")
    s <- sum(as.matrix(D))
    t1 <- now()
    report(t1 - t0, s, sprintf(" rows=%d", nrow(D)))
  },
  kmeans = function() {
    m <- num("m"); d <- num("d"); k <- num("k"); iters <- num("iters")
    X <- xmat(m, d)
    C0 <- X[seq_len(k), , drop = FALSE]
    t0 <- now()
    km <- suppressWarnings(kmeans(X, centers = C0, iter.max = iters, algorithm = "Lloyd"))
    t1 <- now()
    report(t1 - t0, sum(abs(km$centers)), sprintf(" iters=%d", min(km$iter, iters)))
  },
  # The double loop of bench/dml/pf_pearson.dml, the outer loop over i on OMP_NUM_THREADS forked
  # workers (bench/run.py sets it to --threads); each returns row i of R.
  pearson = function() {
    m <- num("m"); n <- num("n")
    cores <- as.integer(Sys.getenv("OMP_NUM_THREADS", "2"))
    D <- xmat(m, n)
    t0 <- now()
    rows <- parallel::mclapply(seq_len(n - 1), function(i) {
      X <- D[, i]
      sX <- sd(X)
      r <- numeric(n)
      for (j in (i + 1):n) {
        Y <- D[, j]
        r[j] <- cov(X, Y) / (sX * sd(Y))
      }
      r
    }, mc.cores = cores)
    R <- do.call(rbind, c(rows, list(numeric(n))))
    t1 <- now()
    if (any(vapply(rows, function(r) !is.numeric(r), TRUE))) stop("pearson: a worker failed")
    report(t1 - t0, sum(R), sprintf(" workers=%d", cores))
  },
  # The loop of bench/dml/pf_overhead.dml as a plain R for loop.
  pf_overhead = function() {
    N <- num("N")
    R <- matrix(0, N, 1)
    t0 <- now()
    for (i in seq_len(N)) R[i, 1] <- i
    t1 <- now()
    report(t1 - t0, sum(R), sprintf(" us_per_iter=%.6g", (t1 - t0) / N * 1e6))
  },
  # lmCG's problem (ridge, no intercept) as an R user solves it: the normal equations
  alg_lmCG = function() {
    m <- num("m"); n <- num("n"); reg <- num("reg")
    d <- alg_data(m, n); X <- d$X; y <- d$T[, 1] / 16384; rm(d)
    t0 <- now()
    b <- solve(crossprod(X) + diag(reg, n), crossprod(X, y))
    t1 <- now()
    report(t1 - t0, ridge_objective(X, y, b, reg))
  },
  # ... or least squares by QR (lm.fit; reg = 1e-7 changes the objective by far less than 1e-6)
  alg_lmCG_lmfit = function() {
    m <- num("m"); n <- num("n"); reg <- num("reg")
    d <- alg_data(m, n); X <- d$X; y <- d$T[, 1] / 16384; rm(d)
    t0 <- now()
    b <- lm.fit(X, y)$coefficients
    t1 <- now()
    report(t1 - t0, ridge_objective(X, y, b, reg))
  },
  # l2svm's primal objective minimised by optim's L-BFGS-B with the analytic gradient. R has no
  # squared-hinge linear SVM packaged in Debian: e1071::svm is libsvm (hinge loss, kernel dual
  # solver; with kernel="linear" it took 20 s for 5000 x 200 and over 300 s for 20000 x 200)
  alg_l2svm = function() {
    m <- num("m"); n <- num("n"); reg <- num("reg")
    d <- alg_data(m, n); X <- d$X; y <- ifelse(d$T[, 1] > 0, 1, -1); rm(d)
    t0 <- now()
    fn <- function(w) l2svm_objective(X, y, w, reg)
    gr <- function(w) {
      h <- pmax(0, 1 - y * drop(X %*% w))
      reg * w - drop(crossprod(X, y * h))
    }
    o <- optim(numeric(n), fn, gr, method = "L-BFGS-B",
               control = list(maxit = num("maxi"), factr = num("factr"), pgtol = 0))
    t1 <- now()
    report(t1 - t0, l2svm_objective(X, y, o$par, reg), sprintf(" iters=%d", o$counts[[1]]))
  },
  # unpenalised multinomial logistic regression: nnet::multinom (BFGS on the baseline
  # parameterisation with intercepts). Checksum: the negative log-likelihood.
  alg_multiLogReg = function() {
    suppressPackageStartupMessages(library(nnet))
    m <- num("m"); n <- num("n"); K <- num("K")
    d <- alg_data(m, n, K); X <- d$X
    y <- max.col(d$T * K + rep(K - seq_len(K), each = m), ties.method = "first"); rm(d)
    yf <- factor(y)
    t0 <- now()
    model <- multinom(yf ~ X, maxit = num("maxi"), trace = FALSE, MaxNWts = 1e6)
    t1 <- now()
    P <- fitted(model)
    report(t1 - t0, -sum(log(P[cbind(seq_len(m), y)])), sprintf(" convergence=%d", model$convergence))
  },
  # kmeans with R's defaults (Hartigan-Wong) and nstart = runs random starts
  alg_kmeans = function() {
    m <- num("m"); d <- num("d"); k <- num("k")
    X <- kmeans_data(m, d, k, num("scale"))
    set.seed(num("seed"))
    t0 <- now()
    km <- kmeans(X, k, iter.max = num("max_iter"), nstart = num("runs"))
    t1 <- now()
    report(t1 - t0, wcss(X, km$centers), sprintf(" iters=%d", km$iter))
  },
  alg_kmeans_lloyd = function() {
    m <- num("m"); d <- num("d"); k <- num("k")
    X <- kmeans_data(m, d, k, num("scale"))
    set.seed(num("seed"))
    t0 <- now()
    km <- kmeans(X, k, iter.max = num("max_iter"), nstart = num("runs"), algorithm = "Lloyd")
    t1 <- now()
    report(t1 - t0, wcss(X, km$centers), sprintf(" iters=%d", km$iter))
  },
  # Poisson regression with log link and intercept: glm (IRLS, default control)
  alg_glm = function() {
    m <- num("m"); n <- num("n")
    d <- alg_data(m, n); X <- d$X
    y <- floor(exp(d$T[, 1] / 32768) + ((as.numeric(seq_len(m)) * 7907) %% 1009) / 1009); rm(d)
    t0 <- now()
    model <- glm(y ~ X, family = poisson())
    t1 <- now()
    report(t1 - t0, poisson_deviance(y, fitted(model)), sprintf(" iters=%d", model$iter))
  }
)

if (is.null(run[[workload]])) stop("unknown workload: ", workload)
run[[workload]]()
