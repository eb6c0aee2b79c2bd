source("common.R"); source("lib/sp_oracles.R")
p(0, 3); p(0, 3); p(0, 3); p(4, 0); p(4, 0); p(0, 3); p(0, 3); p(4, 0); p(0, 3); p(0, 3)
p(0, 0, 0); p("||")
