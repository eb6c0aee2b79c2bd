source("common.R"); source("lib/sp_oracles.R")
S <- sp_S(); X <- S / 49
ps(abs(S)); ps(sqrt(abs(S))); ps(sign(S)); pm(dml_round(X)); pm(floor(X)); pm(ceiling(X)); pm(ceiling(X))
ps(sin(X)); ps(tan(X / 2)); ps(asin(X / 4)); ps(atan(X)); ps(sinh(X)); ps(tanh(X))
pm(suppressWarnings(sqrt(S)))
p(sum(abs(S)), sum(sign(S)), sum(dml_round(X) != 0))
