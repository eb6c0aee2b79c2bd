source("common.R"); source("lib/sp_oracles.R")
S <- sp_S(); cv <- sp_cv()
ps(t(S)); pm(t(S)); p(0); ps(dml_rev(S)); pm(dml_rev(t(S))); pm(t(dml_rev(cv))); pm(t(cv)); ps(t(cv)); p(0)
