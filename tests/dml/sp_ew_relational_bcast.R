source("common.R"); source("lib/sp_oracles.R")
S <- sp_S(); cv <- as.vector(sp_cv()); rv <- matrix(rep(as.vector(sp_rv()), each = 20), 20, 10)
pm(S == cv); pm(S != rv); pm(S >= rv); pm(S < cv); ps((S != 0) & (cv != 0)); pm((S != 0) | (rv != 0))
pm(S == 0); pm(S > -20); p(sum(S == cv), sum(S > rv), sum(S <= cv))
