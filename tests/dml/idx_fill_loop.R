source("common.R")
R <- outer(1:5, 1:3) + 0.5; pm(R)
C <- outer(1:3, 1:4, function(a, b) a^b); pm(C)
