source("common.R")

# R twin of the DML semantics: the statement after the brace-less else is unconditional
C <- 1; C_new <- 2; C_old <- 0
if (FALSE) p("no") else { C_old <- C }
C <- C_new
p(C_old); p(C)
C <- 5; C_old <- 0
if (TRUE) p("yes") else { C_old <- C }
C <- C_new
p(C_old); p(C)
p("B")
