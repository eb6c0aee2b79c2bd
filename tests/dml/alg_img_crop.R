source("common.R")
img <- outer(1:6, 1:7, function(i, j) i * 10 + j)
crop <- function(im, w, h, xo, yo) {
  r0 <- ceiling((nrow(im) - h) / 2) + yo + 1; c0 <- ceiling((ncol(im) - w) / 2) + xo + 1
  if (r0 < 1 || c0 < 1 || r0 + h - 1 > nrow(im) || c0 + w - 1 > ncol(im)) {
    cat("Offset out of bounds! Returning input.\n"); return(im)
  }
  im[r0:(r0 + h - 1), c0:(c0 + w - 1), drop = FALSE]
}
pm(crop(img, 3, 2, 0, 0)); pm(crop(img, 4, 3, -1, 1)); pm(crop(img, 2, 5, 2, -1))
pm(crop(img, 7, 6, 0, 0)); pm(crop(img, 3, 3, 3, 0))
