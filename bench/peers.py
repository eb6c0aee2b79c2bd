#!/usr/bin/env python3
"""bench/peers.py - the NumPy / SciPy / scikit-learn side of the workloads of bench/run.py.

  peers.py WORKLOAD key=value ...     e.g. peers.py ridge_cf m=200000 n=200 lambda=1

Builds the same data as the DML scripts in bench/dml/ (integer-hash formulas, exact in double
precision) or reads the files of bench/gendata.py, times only the compute part with
time.perf_counter (monotonic), and prints one line
  BENCH seconds=S checksum=C [key=value ...]
The checksums are the ones the DML scripts print, so bench/run.py can check that every side
computed the same result.
"""
import sys
import time

import numpy as np


def xmat(m, n):
    """X[i,j] = ((i*j*7 + i*13 + j*29) mod 1009)/1009 - 0.5, 1-based i, j.

    The integer part is computed in int64 (exact, and 4x faster than np.mod on doubles)."""
    i = np.arange(1, m + 1, dtype=np.int64)[:, None]
    j = np.arange(1, n + 1, dtype=np.int64)[None, :]
    K = i * j
    K *= 7
    K += i * 13
    K += j * 29
    K %= 1009
    X = K.astype(np.float64)
    del K
    X /= 1009
    X -= 0.5
    return X


def yvec(m):
    i = np.arange(1, m + 1, dtype=np.int64)
    return ((i * 17 + 3) % 1013) / 1013 - 0.5


def report(secs, checksum, **extra):
    tail = "".join(" %s=%s" % kv for kv in extra.items())
    print("BENCH seconds=%r checksum=%r%s" % (secs, float(checksum), tail), flush=True)


def gemm(p):
    n = int(p["n"])
    i = np.arange(1, n + 1, dtype=np.int64)[:, None]
    j = i.T
    P = i * j
    A = ((P * 7 + i * 13 + j * 29) % 1009) / 1009 - 0.5
    B = ((P * 3 + i * 5 + j * 11) % 1013) / 1013 - 0.5
    del P
    t0 = time.perf_counter()
    C = A @ B
    t1 = time.perf_counter()
    report(t1 - t0, np.abs(C).sum())


def ridge_cf(p):
    m, n, lam = int(p["m"]), int(p["n"]), float(p["lambda"])
    X, y = xmat(m, n), yvec(m)
    t0 = time.perf_counter()
    beta = np.linalg.solve(X.T @ X + lam * np.eye(n), X.T @ y)
    t1 = time.perf_counter()
    report(t1 - t0, np.abs(beta).sum())


def ridge_cg(p):
    m, n, lam, iters = int(p["m"]), int(p["n"]), float(p["lambda"]), int(p["iters"])
    X, y = xmat(m, n), yvec(m)
    t0 = time.perf_counter()
    w = np.zeros(n)
    r = -(X.T @ y)
    pv = -r
    nr2 = r @ r
    for _ in range(iters):
        q = X.T @ (X @ pv) + lam * pv
        a = nr2 / (pv @ q)
        w += a * pv
        r += a * q
        old, nr2 = nr2, r @ r
        pv = -r + (nr2 / old) * pv
    t1 = time.perf_counter()
    report(t1 - t0, np.abs(w).sum())


def ewchain(p):
    N = int(p["N"])
    s = np.arange(1, N + 1, dtype=np.int64)
    X = ((s * 7) % 1009) / 1009
    Y = ((s * 13) % 1013) / 1013 - 0.5
    Z = ((s * 29) % 1019) / 1019
    del s
    t0 = time.perf_counter()
    r = np.sum((X * 2 + Y) ** 2 / (Z + 1))
    t1 = time.perf_counter()
    report(t1 - t0, r)


def colagg(p):
    X = xmat(int(p["m"]), int(p["n"]))
    t0 = time.perf_counter()
    cm = X.mean(axis=0)
    cv = X.var(axis=0, ddof=1)
    t1 = time.perf_counter()
    report(t1 - t0, np.abs(cm).sum() + cv.sum())


def sparse(p):
    import scipy.sparse as sp
    X = sp.load_npz(p["npz"]).tocsr()
    iters = int(p["iters"])
    v = ((np.arange(1, X.shape[1] + 1, dtype=np.int64) * 7) % 1009) / 1009 - 0.5
    t0 = time.perf_counter()
    for _ in range(iters):
        q = X.T @ (X @ v)
        v = q / np.sqrt(q @ q)
    t1 = time.perf_counter()
    report(t1 - t0, np.abs(v).sum())


def csv(p):
    t0 = time.perf_counter()
    X = np.loadtxt(p["file"], delimiter=",")
    s = X.sum()
    t1 = time.perf_counter()
    report(t1 - t0, s, rows=X.shape[0])


def kmeans(p):
    from sklearn.cluster import KMeans
    m, d, k, iters = int(p["m"]), int(p["d"]), int(p["k"]), int(p["iters"])
    X = xmat(m, d)
    C0 = X[:k].copy()
    t0 = time.perf_counter()
    km = KMeans(n_clusters=k, init=C0, n_init=1, max_iter=iters, algorithm="lloyd", tol=0)
    km.fit(X)
    t1 = time.perf_counter()
    report(t1 - t0, np.abs(km.cluster_centers_).sum(), iters=km.n_iter_)


def pf_ridge_grid(p):
    """The loop of bench/dml/pf_ridge_grid.dml: K ridge regressions, lambda_k = k/4."""
    m, n, K = int(p["m"]), int(p["n"]), int(p["K"])
    X, y = xmat(m, n), yvec(m)
    t0 = time.perf_counter()
    B = np.zeros((n, K))
    for k in range(1, K + 1):
        B[:, k - 1] = np.linalg.solve(X.T @ X + (k / 4) * np.eye(n), X.T @ y)
    t1 = time.perf_counter()
    report(t1 - t0, B.sum())


WORKLOADS = {f.__name__: f
             for f in (gemm, ridge_cf, ridge_cg, ewchain, colagg, sparse, csv, kmeans,
                       pf_ridge_grid)}


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in WORKLOADS:
        sys.exit(__doc__ + "\nworkloads: " + " ".join(WORKLOADS))
    WORKLOADS[sys.argv[1]](dict(a.split("=", 1) for a in sys.argv[2:]))


if __name__ == "__main__":
    main()
