source("common.R"); source("lib/nn_conv_oracles.R")
conv_check(N = 2, C = 1, H = 5, W = 4, F = 2, Hf = 3, Wf = 2,
           sh = 2, sw = 1, ph = 1, pw = 0)
