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
import os
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


# -- the algorithm workloads of issue 7 (bench/dml/alg_*.dml call the DML-bodied builtins) -------
#
# Data (1-based i, j; all integer parts exact in int64 and in double precision):
#   K1[i,j] = (i*j*7 + i*13 + j*29) mod 1009,  K2[i,j] = (i*j*3 + i*5 + j*11) mod 1013
#   X = K1/1009 + K2/1013 - 1     (two moduli: rows repeat only after 1009*1013 rows)
#   score k (k = 1..K): t_k = K1 a_k + K2 b_k + 16*(((i*7919 + k*104729) mod 2003) - 1001),
#     a_k[j] = ((4j + 3k) mod 11) - 5,  b_k[j] = ((7j + 5k + 3) mod 11) - 5,
#   T[,k] = t_k - floor(sum(t_k)/m)   (integers: every side computes them exactly, so labels
#     derived from T agree bit for bit).


def kmats(m, n):
    i = np.arange(1, m + 1, dtype=np.int64)[:, None]
    j = np.arange(1, n + 1, dtype=np.int64)[None, :]
    P = i * j
    K1 = P * 7
    K1 += i * 13
    K1 += j * 29
    K1 %= 1009
    P *= 3
    P += i * 5
    P += j * 11
    P %= 1013
    return K1, P


def alg_data(m, n, K=1):
    """X (m x n) and the integer scores T (m x K) of the algorithm workloads."""
    K1, K2 = kmats(m, n)
    X = K1 / 1009
    X += K2 / 1013
    X -= 1
    i = np.arange(1, m + 1, dtype=np.int64)
    j = np.arange(1, n + 1, dtype=np.int64)
    T = np.empty((m, K), dtype=np.int64)
    for k in range(1, K + 1):
        a = (4 * j + 3 * k) % 11 - 5
        b = (7 * j + 5 * k + 3) % 11 - 5
        t = K1 @ a + K2 @ b + 16 * ((i * 7919 + k * 104729) % 2003 - 1001)
        T[:, k - 1] = t - int(np.floor(int(t.sum()) / m))
    return X, T


def multiclass_labels(T):
    """1-based argmax of each row of T; T*K + (K - k) makes the maximum unique."""
    K = T.shape[1]
    return np.argmax(T * K + (K - np.arange(1, K + 1)), axis=1) + 1


def poisson_counts(T):
    """y = floor(exp(T/32768) + u), u[i] = ((i*7907) mod 1009)/1009: counts around exp(T/32768)."""
    i = np.arange(1, T.shape[0] + 1, dtype=np.int64)
    return np.floor(np.exp(T[:, 0] / 32768) + ((i * 7907) % 1009) / 1009)


def kmeans_data(m, d, k, scale):
    """X + the centre of cluster (i mod k) + 1, centres M[c,j] = scale*(((c*j*7 + c*13 + j*29)
    mod 101)/101 - 0.5): k overlapping clusters (scale 1.5) whose k-means optimum is the same
    from every k-means++ start to ~1e-7 relative."""
    K1, K2 = kmats(m, d)
    X = K1 / 1009 + K2 / 1013 - 1
    del K1, K2
    c = np.arange(1, k + 1, dtype=np.int64)[:, None]
    j = np.arange(1, d + 1, dtype=np.int64)[None, :]
    M = scale * (((c * j * 7 + c * 13 + j * 29) % 101) / 101 - 0.5)
    X += M[np.arange(1, m + 1) % k]
    return X


def wcss(X, C):
    D = -2 * (X @ C.T) + (C * C).sum(axis=1)[None, :]
    return (X * X).sum() + D.min(axis=1).sum()


def ridge_objective(X, y, beta, reg):
    r = y - X @ beta
    return r @ r + reg * (beta @ beta)


def alg_lmCG(p):
    """lmCG(X, y, icpt=0, reg, tol, maxi) vs Ridge(solver="sparse_cg"): CG on the normal
    equations (X'X + reg I) b = X'y from b = 0, stopping at ||r|| <= tol ||X'y|| (scipy's cg
    with atol="legacy"), at most maxi iterations."""
    from sklearn.linear_model import Ridge
    m, n, reg, tol = int(p["m"]), int(p["n"]), float(p["reg"]), float(p["tol"])
    X, T = alg_data(m, n)
    y = T[:, 0] / 16384
    del T
    t0 = time.perf_counter()
    model = Ridge(alpha=reg, fit_intercept=False, solver="sparse_cg", tol=tol,
                  max_iter=int(p["maxi"]) or n).fit(X, y)
    t1 = time.perf_counter()
    report(t1 - t0, ridge_objective(X, y, model.coef_, reg))


def l2svm_objective(X, y, w, reg):
    h = np.maximum(0, 1 - y * (X @ w))
    return 0.5 * (h @ h) + reg / 2 * (w @ w)


def alg_l2svm(p):
    """l2svm minimises 1/2 sum max(0, 1 - y x'w)^2 + reg/2 ||w||^2; LinearSVC minimises
    1/2 ||w||^2 + C sum max(0, 1 - y x'w)^2: the same minimiser for C = 1/(2 reg)."""
    from sklearn.svm import LinearSVC
    m, n, reg = int(p["m"]), int(p["n"]), float(p["reg"])
    X, T = alg_data(m, n)
    y = np.where(T[:, 0] > 0, 1.0, -1.0)
    del T
    t0 = time.perf_counter()
    model = LinearSVC(penalty="l2", loss="squared_hinge", dual=False, C=1 / (2 * reg),
                      fit_intercept=False, tol=float(p["tol"]), max_iter=int(p["maxi"]))
    model.fit(X, y)
    t1 = time.perf_counter()
    report(t1 - t0, l2svm_objective(X, y, model.coef_.ravel(), reg), iters=model.n_iter_)


def alg_multiLogReg(p):
    """Unpenalised multinomial logistic regression with intercept (multiLogReg reg=0, icpt=1;
    LogisticRegression(penalty=None, multi_class="multinomial")): the same maximum-likelihood
    probabilities whatever the parameterisation. Checksum: the negative log-likelihood."""
    from sklearn.linear_model import LogisticRegression
    m, n, K = int(p["m"]), int(p["n"]), int(p["K"])
    X, T = alg_data(m, n, K)
    y = multiclass_labels(T)
    del T
    t0 = time.perf_counter()
    model = LogisticRegression(penalty=None, multi_class="multinomial", solver=p["solver"],
                               tol=float(p["tol"]), max_iter=int(p["maxi"]))
    model.fit(X, y)
    t1 = time.perf_counter()
    P = model.predict_proba(X)
    nll = -np.log(P[np.arange(m), y - 1]).sum()
    report(t1 - t0, nll, iters=int(model.n_iter_[0]))


def alg_kmeans(p):
    """kmeans(runs, max_iter, eps) vs KMeans(n_init=runs, k-means++, Lloyd). Checksum: WCSS."""
    from sklearn.cluster import KMeans
    m, d, k, runs = int(p["m"]), int(p["d"]), int(p["k"]), int(p["runs"])
    X = kmeans_data(m, d, k, float(p["scale"]))
    t0 = time.perf_counter()
    km = KMeans(n_clusters=k, init="k-means++", n_init=runs, max_iter=int(p["max_iter"]),
                tol=float(p["tol"]), algorithm="lloyd", random_state=int(p["seed"])).fit(X)
    t1 = time.perf_counter()
    report(t1 - t0, wcss(X, km.cluster_centers_), iters=km.n_iter_)


def poisson_deviance(y, mu):
    return 2 * (np.where(y > 0, y * np.log(np.where(y > 0, y, 1) / mu), 0) - (y - mu)).sum()


def alg_glm(p):
    """Poisson regression with log link and intercept, unpenalised (glm dfam=1, vpow=1, link=1,
    lpow=0, icpt=1, reg=0; PoissonRegressor(alpha=0)). Checksum: the deviance."""
    from sklearn.linear_model import PoissonRegressor
    m, n = int(p["m"]), int(p["n"])
    X, T = alg_data(m, n)
    y = poisson_counts(T)
    del T
    t0 = time.perf_counter()
    model = PoissonRegressor(alpha=0, fit_intercept=True, solver=p["solver"],
                             tol=float(p["tol"]), max_iter=int(p["maxi"])).fit(X, y)
    t1 = time.perf_counter()
    mu = np.exp(X @ model.coef_ + model.intercept_)
    report(t1 - t0, poisson_deviance(y, mu), iters=model.n_iter_)


def lenet(p):
    """The training loop of bench/dml/lenet.dml in PyTorch (CPU, OMP_NUM_THREADS threads):
    the same network, weights from the same formula (conv weights F x C*3*3 reshaped to
    (F, C, 3, 3); an affine D x M weight is Linear's M x D weight transposed), the same batches
    in the same order, SGD with Nesterov momentum (PyTorch's form of the same update), dtype
    float64 (Tessera's) or float32 (PyTorch's default). Checksum: the first epoch's mean training
    loss (the last epoch's is printed too; rounding differences grow over the epochs)."""
    import torch
    import torch.nn as nn
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))  # run.py: --threads
    dtype = {"float64": torch.float64, "float32": torch.float32}[p["dtype"]]
    epochs, batch, lr, mu = int(p["epochs"]), int(p["batch"]), float(p["lr"]), float(p["mu"])
    X = np.loadtxt(p["dir"] + "/X_train.csv", delimiter=",", ndmin=2)
    y = np.loadtxt(p["dir"] + "/y_train.csv", delimiter=",").astype(np.int64) - 1
    N = X.shape[0]

    def init_w(R, C, D, off):
        r = np.arange(1, R + 1, dtype=np.int64)[:, None]
        c = np.arange(1, C + 1, dtype=np.int64)[None, :]
        return ((((r * 31 + c * 17 + off) % 97) / 97) - 0.5) * np.sqrt(24 / D)

    model = nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Flatten(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10)).to(dtype)
    with torch.no_grad():
        model[0].weight.copy_(torch.from_numpy(init_w(8, 9, 9, 0).reshape(8, 1, 3, 3)))
        model[3].weight.copy_(torch.from_numpy(init_w(16, 72, 72, 1).reshape(16, 8, 3, 3)))
        model[7].weight.copy_(torch.from_numpy(init_w(64, 64, 64, 2).T.copy()))
        model[9].weight.copy_(torch.from_numpy(init_w(64, 10, 64, 3).T.copy()))
        for k in (0, 3, 7, 9):
            model[k].bias.zero_()
    Xt = torch.from_numpy(X).to(dtype).reshape(N, 1, 8, 8)
    yt = torch.from_numpy(y)
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=mu, nesterov=True)
    loss_fn = nn.CrossEntropyLoss()
    nb = (N + batch - 1) // batch
    first = None
    t0 = time.perf_counter()
    for _ in range(epochs):
        total = 0.0
        for i in range(nb):
            lo, hi = i * batch, min(N, (i + 1) * batch)
            opt.zero_grad()
            loss = loss_fn(model(Xt[lo:hi]), yt[lo:hi])
            loss.backward()
            opt.step()
            total += loss.item() * (hi - lo)
        if first is None:
            first = total / N
    t1 = time.perf_counter()
    s = t1 - t0
    report(s, first, samples=epochs * N, samples_per_s=epochs * N / s, last_loss=total / N)


WORKLOADS = {f.__name__: f
             for f in (gemm, ridge_cf, ridge_cg, ewchain, colagg, sparse, csv, kmeans,
                       pf_ridge_grid, alg_lmCG, alg_l2svm, alg_multiLogReg, alg_kmeans,
                       alg_glm, lenet)}


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in WORKLOADS:
        sys.exit(__doc__ + "\nworkloads: " + " ".join(WORKLOADS))
    WORKLOADS[sys.argv[1]](dict(a.split("=", 1) for a in sys.argv[2:]))


if __name__ == "__main__":
    main()
