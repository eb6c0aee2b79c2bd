#!/usr/bin/env python3
"""bench/gendata.py - writes the file inputs of bench/run.py into a directory, deterministically.

  gendata.py DIR sparse m=100000 n=10000 density=0.001
      DIR/sparse_MxN.ijv  text triples "i j v" (1-based, row-major order): Tessera and R read it
      DIR/sparse_MxN.npz  the same matrix for SciPy (scipy.sparse.save_npz, CSR)
      values are k/1000, k in 1..1000, so every reader parses exactly the same doubles.
  gendata.py DIR csv rows=1000000 cols=10
      DIR/csv_RxC.csv     comma-separated, no header, values k/1000 with k in 0..999999 ("%.3f")

Prints the paths it wrote. A file that exists already is kept (same parameters, same content).
"""
import os
import sys

import numpy as np


def params(args):
    return dict(a.split("=", 1) for a in args)


def sparse(outdir, p):
    m, n, density = int(p["m"]), int(p["n"]), float(p["density"])
    base = os.path.join(outdir, "sparse_%dx%d" % (m, n))
    if os.path.exists(base + ".ijv") and os.path.exists(base + ".npz"):
        return [base + ".ijv", base + ".npz"]
    import scipy.sparse as sp
    rng = np.random.default_rng(42)
    nnz = int(round(m * n * density))
    cells = np.unique(rng.integers(0, m * n, size=int(nnz * 1.02) + 16, dtype=np.int64))
    if len(cells) > nnz:
        cells = np.sort(rng.choice(cells, size=nnz, replace=False))
    rows, cols = cells // n, cells % n
    vals = rng.integers(1, 1001, size=len(cells)) / 1000.0
    X = sp.csr_matrix((vals, (rows, cols)), shape=(m, n))
    sp.save_npz(base + ".npz", X, compressed=False)
    with open(base + ".ijv", "w") as f:
        f.write("".join("%d %d %.3f\n" % t for t in zip(rows + 1, cols + 1, vals)))
    return [base + ".ijv", base + ".npz"]


def csv(outdir, p):
    r, c = int(p["rows"]), int(p["cols"])
    path = os.path.join(outdir, "csv_%dx%d.csv" % (r, c))
    if os.path.exists(path):
        return [path]
    rng = np.random.default_rng(7)
    k = rng.integers(0, 1000000, size=(r, c))
    # "%d.%03d" of the integer parts is exact and much faster than formatting floats.
    ip, fp = k // 1000, k % 1000
    line = ",".join(["%d.%03d"] * c) + "\n"
    with open(path, "w") as f:
        chunk = 50000
        for s in range(0, r, chunk):
            inter = np.empty((min(chunk, r - s), 2 * c), dtype=np.int64)
            inter[:, 0::2] = ip[s:s + chunk]
            inter[:, 1::2] = fp[s:s + chunk]
            f.write("".join(line % tuple(row) for row in inter.tolist()))
    return [path]


def main():
    if len(sys.argv) < 3 or sys.argv[2] not in ("sparse", "csv"):
        sys.exit(__doc__)
    outdir, kind = sys.argv[1], sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    paths = (sparse if kind == "sparse" else csv)(outdir, params(sys.argv[3:]))
    print("\n".join(paths))


if __name__ == "__main__":
    main()
