# R oracle of pf_frame_result.dml (the same values computed sequentially).
source("common.R")
n <- 9
for (i in 1:n) {
  v2 <- if (i %% 3 == 0) 0 else i * 1.5
  v3 <- if (i %% 4 == 1) i * 100 else 3
  p(paste0("s", i), v2, v3)
}
for (i in 1:6) {
  a <- if (i %% 2 == 1) "odd" else ""
  b <- if (i != 2) paste0("g", i * 2) else ""
  cat("[", a, "] [", b, "]\n", sep = "")
}
for (i in 1:5) p(paste0("row", i), i / 4)
for (i in 1:4) cat(if (i %% 2 == 0) "[]" else "[abc]", "\n")
