source("common.R"); source("lib/sp_oracles.R")
S <- sp_SN(); p(20, 10); ps(S)
B <- dml_matrix(1:300000, 1500, 200); B <- B * (B %% 997 == 0) / 997
p(1500, 200, 0, sum(B != 0), sum(B)); pm(B[1496:1500, 191:200]); p(1200, 3, 0); p(1, 1, 0)
