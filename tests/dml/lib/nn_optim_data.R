# nn_optim_data.R - the parameters X and the two gradient steps dX1, dX2 of the optimizer
# oracles (tests/dml/nn_sgd*.R, nn_adagrad.R, nn_adam.R, nn_rmsprop.R); prints their shape
# line as the DML side does.
source("lib/nn_data.R")
X <- gen(3, 4, 7, 13, 29, 101) * 2
dX1 <- gen(3, 4, 5, 3, 11, 37)
dX2 <- gen(3, 4, 11, 2, 5, 23) * 3
p(3, 4, 0)
