#!/usr/bin/env python3
"""examples/lenet/prepare_digits.py - exports scikit-learn's digits data set to csv for lenet.dml.

The data (1797 grey-scale images of 8x8 pixels, values 0..16, labels 0..9) ships with Debian's
python3-sklearn, so no download is needed. The images are shuffled with a fixed seed and split
into 1500 training and 297 test images; pixels are scaled to [0, 1] and labels written as 1..10
(DML's classes are 1-based). Files (no header):

  OUT/X_train.csv  1500 x 64    OUT/y_train.csv  1500 x 1
  OUT/X_test.csv    297 x 64    OUT/y_test.csv    297 x 1

usage: prepare_digits.py OUT_DIR
"""
import os
import sys

import numpy as np
from sklearn.datasets import load_digits


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: prepare_digits.py OUT_DIR")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    d = load_digits()
    order = np.random.RandomState(42).permutation(len(d.target))
    x = d.data[order] / 16.0
    y = d.target[order] + 1
    n_train = 1500
    parts = {"train": slice(0, n_train), "test": slice(n_train, None)}
    for name, sl in parts.items():
        np.savetxt(os.path.join(out, "X_%s.csv" % name), x[sl], delimiter=",", fmt="%.17g")
        np.savetxt(os.path.join(out, "y_%s.csv" % name), y[sl].reshape(-1, 1), delimiter=",",
                   fmt="%d")
    print("wrote %d training and %d test images to %s" % (n_train, len(y) - n_train, out))


if __name__ == "__main__":
    main()
