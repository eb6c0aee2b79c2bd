source("common.R"); source("lib/sp_oracles.R")
S <- sp_SN(); S[20, 1] <- -2.5; S[20, 2] <- 2.5; S[20, 3] <- -0.5
ps(is.nan(S)); ps(is.nan(S)); ps(is.nan(S)); ps(is.nan(S)); ps(is.infinite(S)); ps(is.infinite(S))
ps(dml_round(S)); ps(abs(S)); ps(sign(S)); ps(floor(S)); ps(suppressWarnings(sqrt(S))); pm(exp(S))
ps(atan(S)); ps(tanh(S))
p(sum(is.nan(S)), sum(is.infinite(S)), sum(is.nan(suppressWarnings(sin(S)))))
