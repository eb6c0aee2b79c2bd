source("common.R"); source("lib/alg_tree_oracles.R")
n <- 40; nf <- 4
X <- outer(1:n, 1:nf, function(i, j) dml_mod(dml_mod((i * 19 + j * 23)^2 + i * j, 89), 6) + 1)
M <- rbind(
  c(1, 1, 0, 0,  1, 3,  0, 1, 0, 2,  0, 0, 0, 0, 0, 0, 0, 0),
  c(0, 1, 1, 1,  2, 2,  0, 3, 3, 4,  0, 0, 0, 0, 0, 2, 0, 1),
  c(0, 0, 0, 1,  0, 2,  0, 0, 0, 0,  0, 0, 0, 0, 0, 0, 0, 0),
  c(1, 0, 1, 0,  2, 4,  1, 2, 0, 3,  0, 1, 0, 3, 0, 0, 0, 0))
pm(t(forest_predict(X, M, TRUE)))
pm(t(forest_predict(X, M[1:3, ], TRUE)))
R <- M
R[1, 8] <- 1.25; R[1, 10] <- -0.5; R[2, 8] <- 2.75; R[2, 16] <- 0.125; R[2, 18] <- 7.5
R[3, 6] <- 3.3; R[4, 12] <- 1.1; R[4, 14] <- 4.4; R[4, 10] <- 9.9
pm(t(forest_predict(X, R, FALSE)))
