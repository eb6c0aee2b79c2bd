source("common.R"); source("lib/sp_oracles.R")
S <- sp_S(); X <- S / 49
pm(exp(X)); pm(cos(X)); pm(cosh(X)); pm(acos(X / 4)); pm(log(abs(S))); pm(log(abs(S) + 1, 2))
pm(suppressWarnings(log(S)))
p(sum(exp(X)), sum(cos(X)), sum(is.infinite(log(abs(S)))))
