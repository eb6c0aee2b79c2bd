source("common.R")

x <- 5
if (x > 3) p("big")
if (x > 10) p("huge")
if (x < 3) p("small") else p("not small")
if (x == 5) { p("five"); y <- 1 } else y <- 2
p(y)
if (x != 5) y <- 3
p(y)
