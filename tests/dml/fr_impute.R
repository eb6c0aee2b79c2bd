source("common.R")
c1 <- c(1, 4, NA, 7); c1[is.na(c1)] <- mean(c1, na.rm = TRUE)
c2 <- c("a", "", "b", "b"); c2[c2 == ""] <- "b"
c3 <- c("", "b", "z", ""); c3[c3 == ""] <- "z"
rc <- function(x) as.numeric(factor(x, levels = unique(x)))
pm(cbind(c1, rc(c2), rc(c3)))
