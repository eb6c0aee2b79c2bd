# tol: rtol=1e-10, atol=1e-12
source("common.R")
n <- 15; i <- 1:n
ytest <- ((i * i * 3 + i * 11) %% 53) / 53
yhat <- ytest + ((i * 7) %% 5) / 10 - 0.15
stats <- function(yhat, ytest, kind) {
  n <- length(ytest); res <- ytest - yhat
  avg <- mean(res); ssr <- sum(res^2); ssar <- ssr - n * avg^2
  sst <- sum((ytest - mean(ytest))^2)
  cat("Statistics of the", kind, "on", n, "rows:\n")
  p("SUM_Y_TEST", sum(ytest)); p("SUM_Y_PRED", sum(yhat))
  p("SUM_SQ_Y_TEST", sum(ytest^2)); p("SUM_SQ_Y_PRED", sum(yhat^2))
  p("AVG_TOT_Y", mean(ytest)); p("STDEV_TOT_Y", sqrt(sst / (n - 1)))
  p("AVG_RES_Y", avg); p("STDEV_RES_Y", sqrt(ssar / (n - 1)))
  p("SS_RES_Y", ssr); p("SS_AVG_RES_Y", ssar)
  p("R2", 1 - ssr / sst); p("R2_NOBIAS", 1 - ssar / sst)
  c(avg, ssar, 1 - ssr / sst)
}
pm(stats(yhat, ytest, "linear model"))
pm(stats(yhat, ytest, "predictions"))
invisible(stats(0.9 * ytest + 0.04, ytest, "linear model"))
