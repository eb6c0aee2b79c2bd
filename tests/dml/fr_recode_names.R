source("common.R")
d <- read.csv("data/fr_people.csv", stringsAsFactors = FALSE)
rc <- function(x) as.numeric(factor(x, levels = unique(x)))
m <- tolower(as.character(d$member))
mc <- rc(m)
oh <- outer(mc, 1:max(mc), "==") * 1
pm(cbind(d$age, rc(d$city), d$score, oh))
