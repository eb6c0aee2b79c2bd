source("common.R"); source("lib/bi3_oracles.R")
X <- dml_matrix(c(1, NaN, Inf, -Inf, 0, 2, NaN, 1), 2, 4)
r <- function(pat, rep) { Y <- X; if (is.nan(pat)) Y[is.nan(X)] <- rep else Y[!is.nan(X) & X == pat] <- rep; Y }
pm(r(NaN, -1)); pm(r(Inf, 99)); pm(r(-Inf, -99)); pm(r(0, NaN)); pm(r(1, 0))
p(sum(r(NaN, 0) != 0)); pm(X); p(4)
