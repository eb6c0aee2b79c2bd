source("common.R")
img <- outer(1:4, 1:5, function(i, j) (i * 37 + j * 61) %% 256)
br <- function(im, v, mx) pmax(pmin(im + v, mx), 0)
pm(br(img, 60, 255)); pm(br(img, -100.5, 255)); pm(br(img / 255, 0.25, 1))
