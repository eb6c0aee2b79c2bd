source("common.R")
pm(dml_seq(1, 10)); pm(dml_seq(10, 1)); pm(dml_seq(0, 1, 0.1)); pm(dml_seq(0, 1, 0.6))
pm(dml_seq(5, 1, -2)); pm(dml_seq(1, 2, 0.3)); pm(dml_seq(-3, 3, 1.5)); pm(dml_seq(1, 1))
p(nrow(dml_seq(1, 100, 7))); p(1); pm(dml_seq(2.5, -1, -0.5))
