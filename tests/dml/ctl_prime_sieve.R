source("common.R")

pr <- c(2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97)
isp <- rep(TRUE, 100); isp[1] <- FALSE
for (i in 2:10) if (isp[i]) isp[seq(i * i, 100, by = i)] <- FALSE
stopifnot(all(which(isp) == pr))
p(sum(isp)); p(sum(which(isp))); for (i in which(isp)) p(i)
