source("common.R")

X <- dml_matrix(1:12, 3, 4) / 5 - 1; Y <- abs(X) + 0.25
Z <- (X * Y - X / Y)^2 + exp(-Y) * sign(X) - dml_mod(sqrt(Y), 0.3)
pm(Z); p(sum(Z))
pm(ifelse(X > 0, log(Y), -X * 2) + pmax(X, 0.1) * pmin(Y, 1))
