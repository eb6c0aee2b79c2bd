source("common.R"); source("lib/sp_oracles.R")
S <- sp_S()
p(20, 10, 200, 10, 20); p(7, 0, -196); p(1, 1, 0); p(-28); p(-27); ps(S * 7); p(119, FALSE, TRUE)
pm(S[1:2, 6:7])
