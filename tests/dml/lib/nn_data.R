# nn_data.R - the deterministic test matrices of the nn layer and optimizer oracles
# (tests/dml/nn_*.R, lib/nn_conv_oracles.R): N x D cells ((i j a + i b + j c) mod m) / m - 0.5,
# as the DML side builds them.
gen <- function(N, D, a, b, c, m) outer(1:N, 1:D, function(i, j) ((i * j * a + i * b + j * c) %% m) / m - 0.5)
