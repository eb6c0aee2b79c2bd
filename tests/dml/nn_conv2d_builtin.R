source("common.R"); source("lib/nn_conv_oracles.R")
conv_check(N = 2, C = 2, H = 4, W = 4, F = 3, Hf = 3, Wf = 3,
           sh = 1, sw = 1, ph = 1, pw = 1)
