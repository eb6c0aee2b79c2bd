source("common.R"); source("lib/sp_oracles.R")
S <- sp_S()[1:10, ] / 7
ps(0 - S); p("|"); pm(3 - S); pm(1 / S); pm(dml_mod(5, S)); pm(dml_intdiv(5, S)); pm(2^S); pm(0^S)
pm(0 == S); ps(0 < S); pm(1 >= S); ps(pmin(S, 0)); pm(pmax(S, 1)); ps(S != 0); ps(S != 0); pm(S == 0)
