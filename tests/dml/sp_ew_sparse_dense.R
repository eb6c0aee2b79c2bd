source("common.R"); source("lib/sp_oracles.R")
S <- sp_S(); D <- sp_D()
ps(S * D); ps(D * S); pm(S + D); pm(D - S); pm(S / D); pm(D / S); pm(pmin(D, S)); pm(pmax(S, D))
pm(S > D); pm(dml_intdiv(D, S + 0.5)); pm((S != 0) & (D != 0)); pm((D != 0) | (S != 0))
