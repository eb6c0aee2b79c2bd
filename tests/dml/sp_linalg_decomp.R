# tol: rtol=1e-9 atol=1e-10
source("common.R"); source("lib/sp_oracles.R"); source("lib/bi3_oracles.R")
O <- dml_matrix(1:64, 8, 8); O <- O * (O %% 11 == 3) / 20
A <- O + diag(4:11); P <- O + t(O) + diag(4:11)
pm(t(chol(P))); pm(diag(c(2, 3, 0.5)))
e <- dml_eigen(P); pm(t(e$values)); pm(e$vectors)
s <- dml_svd(A); pm(t(diag(s$S))); pm(s$U); pm(s$V)
q <- dml_qr(A); pm(q$H); pm(q$R)
l <- dml_lu(A); pm(l$P); pm(l$L); pm(l$U); p(3)
