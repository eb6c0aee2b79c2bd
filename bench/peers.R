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
  }
)

if (is.null(run[[workload]])) stop("unknown workload: ", workload)
run[[workload]]()
