#!/usr/bin/env python3
"""bench/run.py - runs the benchmark workloads on Tessera and on its peers, side by side.

`make bench` builds Tessera and the helpers first, then runs this (it builds nothing itself).
For each workload every side (Tessera, NumPy/SciPy/scikit-learn, R, ...) runs alternately
(A B C, C B A, A B C, ...) --reps times on the same generated data. Each side times its own
compute part with a monotonic clock and prints "BENCH seconds=S checksum=C"; peak memory is the
max RSS from /usr/bin/time -f %M. The table gives medians and the ratio of medians Tessera/peer
(below 1: Tessera is faster), the issue's target where there is one, and checks that every side
computed the same result (checksums within 1e-6 relative). A workload may also run Tessera
variants (another script, e.g. the parfor loop written as a for, or another thread count); a
second table compares them with the workload's own Tessera side. See bench/README.md.
"""
import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PYTHON = "/usr/bin/python3"  # Debian's peers live in the system interpreter
CHECK_RTOL = 1e-6


class Side:
    """One program that runs a workload: Tessera (at some thread count) or a peer.

    A Tessera variant (Workload.variants) is a Side of kind "tessera" with its own script
    (bench/dml/<script>.dml; None: the workload's), thread count (None: --threads) and label
    ("{threads}" in it is replaced by the thread count).

    A peer side runs the function `peer` of peers.py / peers.R (None: the workload's name) with
    the workload's parameters updated by `args` (e.g. a solver or the peer's own tolerance).
    `rtol` (None: the workload's) is how far its checksum may be from the reference result."""

    def __init__(self, key, label, kind, threads=None, script=None, peer=None, args=None,
                 rtol=None):
        self.key, self.label, self.kind, self.threads = key, label, kind, threads
        self.script = script
        self.peer, self.args, self.rtol = peer, args or {}, rtol


class Workload:
    def __init__(self, name, title, params, quick, sides, script=None, targets=None,
                 flops=None, speedup=False, data=None, variants=None, label=None,
                 per_iter=None, rtol=CHECK_RTOL):
        self.name, self.title, self.params, self.quick = name, title, params, quick
        self.sides = sides            # peer sides, besides Tessera
        self.script = script or name  # bench/dml/<script>.dml
        self.targets = targets or {}  # peer key -> (max ratio Tessera/peer, text)
        self.flops = flops            # params -> floating-point operations (GFLOP/s column)
        self.speedup = speedup        # also run Tessera on 1 thread
        self.data = data              # "sparse" / "csv": files from bench/gendata.py
        self.variants = variants or []  # more Tessera sides compared with the first one
        self.label = label            # what the first Tessera side runs, e.g. "parfor"
        self.per_iter = per_iter      # (params -> iterations, max us per iteration, text)
        self.rtol = rtol              # checksums of the sides agree within this (relative)


NUMPY = Side("numpy", "NumPy", "py")
SCIPY = Side("numpy", "SciPy", "py")
SKLEARN = Side("numpy", "scikit-learn", "py")
R = Side("r", "R", "r")
R_MATRIX = Side("r", "R Matrix", "r")
OPENBLAS = Side("openblas", "OpenBLAS direct (C)", "c")

WORKLOADS = [
    Workload("gemm", "dense GEMM C = A %*% B, 4000 x 4000",
             {"n": 4000}, {"n": 600}, [NUMPY, OPENBLAS],
             targets={"numpy": (1 / 0.95, "GFLOP/s >= 0.95x OpenBLAS threaded"),
                      "openblas": (1 / 0.95, "GFLOP/s >= 0.95x OpenBLAS threaded")},
             flops=lambda p: 2.0 * p["n"] ** 3, speedup=True),
    Workload("ridge_cf", "ridge closed form solve(t(X)%*%X + diag(l), t(X)%*%y), X 200000 x 200",
             {"m": 200000, "n": 200, "lambda": 1.0}, {"m": 20000, "n": 50, "lambda": 1.0},
             [NUMPY, R], targets={"numpy": (0.8, "<= 0.8x NumPy")},
             flops=lambda p: 1.0 * p["m"] * p["n"] ** 2, speedup=True),
    Workload("ridge_cg", "ridge by conjugate gradient, 20 iterations, same X",
             {"m": 200000, "n": 200, "lambda": 1.0, "iters": 20},
             {"m": 20000, "n": 50, "lambda": 1.0, "iters": 5},
             [NUMPY, R], targets={"numpy": (0.4, "<= 0.4x NumPy")}, speedup=True),
    Workload("ewchain", "elementwise sum((X*2+Y)^2/(Z+1)), three vectors of 2e7",
             {"N": 20000000}, {"N": 200000}, [NUMPY, R],
             targets={"numpy": (0.25, "<= 0.25x NumPy")}),
    Workload("colagg", "colMeans and colVars of X 200000 x 200",
             {"m": 200000, "n": 200}, {"m": 20000, "n": 50}, [NUMPY, R],
             targets={"numpy": (1.0, "ahead of NumPy"), "r": (1.0, "ahead of R")}),
    Workload("sparse", "sparse power step t(X)%*%(X%*%v) x50, X 100000 x 10000, density 0.001",
             {"m": 100000, "n": 10000, "density": 0.001, "iters": 50},
             {"m": 10000, "n": 1000, "density": 0.001, "iters": 5},
             [SCIPY, R_MATRIX], script="sparse_chain",
             targets={"numpy": (1.0, "<= 1.0x SciPy")}, data="sparse"),
    Workload("csv", "csv read of 10^6 x 10 (+ sum)", {"rows": 1000000, "cols": 10},
             {"rows": 20000, "cols": 10}, [Side("numpy", "NumPy loadtxt", "py"),
                                           Side("r", "R read.csv", "r")],
             script="csv_read", data="csv",
             targets={"numpy": (1.0, "ahead of NumPy"), "r": (1.0, "ahead of R")}),
    Workload("kmeans", "k-means 50000 x 20, k=10, 20 Lloyd iterations, fixed initial centroids",
             {"m": 50000, "d": 20, "k": 10, "iters": 20}, {"m": 5000, "d": 20, "k": 10, "iters": 5},
             [SKLEARN, R]),
    Workload("pearson", "pairwise Pearson correlation of the columns of D 10000 x 400 "
             "(nested parfor)", {"m": 10000, "n": 400}, {"m": 1000, "n": 50},
             [Side("r", "R mclapply", "r")], script="pf_pearson", speedup=True,
             targets={"r": (0.1, "<= 0.1x R mclapply (10x faster)")}),
    Workload("pf_overhead", "parfor of 10^6 trivial iterations R[i,1] = i, NAIVE partitioner",
             {"N": 1000000}, {"N": 100000}, [Side("r", "R for", "r")],
             label="parfor, -threads {threads}",
             variants=[Side("tessera_for", "for, -threads {threads}", "tessera",
                            script="pf_overhead_for")],
             per_iter=(lambda p: p["N"], 5.0, "<= 5 us per parfor iteration")),
    Workload("pf_ridge_grid", "16 ridge regressions over lambda in a parfor, X 100000 x 100",
             {"m": 100000, "n": 100, "K": 16}, {"m": 10000, "n": 50, "K": 16}, [NUMPY],
             label="parfor, -threads {threads}",
             variants=[Side("tessera_for1", "for, -threads 1", "tessera", 1,
                            "pf_ridge_grid_for"),
                       Side("tessera_for", "for, -threads {threads}", "tessera",
                            script="pf_ridge_grid_for")],
             targets={"tessera_for1": (1 / 1.8, ">= 1.8x faster than for at -threads 1"),
                      "tessera_for": (1.0, "<= 1.0x for with multi-threaded operators")}),
] + [
    # Issue 7: the DML-bodied builtins (scripts/builtin) called by name from bench/dml/alg_*.dml,
    # side by side with scikit-learn's and R's equivalent, on the same data (bench/peers.py
    # alg_data: integer-hash X, labels and counts derived from fixed integer scores, so every side
    # has bit-identical inputs). Each side stops by its own rule, so the checksum is a quantity
    # that is flat at the optimum (objective, WCSS, deviance, log-likelihood): it agrees to
    # ~1e-8 relative (measured) and the default 1e-6 check applies. Settings per workload:
    # Workload.params go to Tessera (and to the peers unless a Side's args override them).
    Workload("alg_lmCG", "lmCG builtin: ridge by CG (reg 1e-7, tol 1e-7), X 100000 x 1000, "
             "no intercept",
             {"m": 100000, "n": 1000, "reg": 1e-7, "tol": 1e-7, "maxi": 0},
             {"m": 5000, "n": 100, "reg": 1e-7, "tol": 1e-7, "maxi": 0},
             # Ridge(alpha=reg, solver="sparse_cg", tol=tol, max_iter=n, fit_intercept=False):
             # scipy's cg on X'X + alpha I from 0 with ||r|| <= tol ||X'y||, lmCG's rule; R: the
             # normal equations, solve(crossprod(X) + diag(reg), crossprod(X, y)) (the target),
             # and lm.fit (what lm() runs: Householder QR, LINPACK dqrdc2, level-1 BLAS)
             [Side("sklearn", "scikit-learn Ridge(sparse_cg)", "py"),
              Side("r", "R solve(normal eq.)", "r"),
              Side("r_lmfit", "R lm.fit", "r", peer="alg_lmCG_lmfit")],
             targets={"sklearn": (1.0, "<= 1.0x scikit-learn"),
                      "r": (0.5, "<= 0.5x R (2x faster)")}),
    Workload("alg_l2svm", "l2svm builtin: squared-hinge linear SVM, reg 1, X 300000 x 200, "
             "no intercept",
             {"m": 300000, "n": 200, "reg": 1.0, "eps": 1e-6, "maxi": 100},
             {"m": 5000, "n": 50, "reg": 1.0, "eps": 1e-6, "maxi": 100},
             # LinearSVC(penalty="l2", loss="squared_hinge", dual=False, C=1/(2 reg),
             # fit_intercept=False, tol=1e-4 and max_iter=1000, its defaults): liblinear's
             # primal trust-region Newton on the same objective; l2svm's epsilon 1e-6 (default
             # 1e-3 stops 4e-5 above the optimum). R: no Debian package fits (e1071 is libsvm:
             # hinge loss, kernel dual solver, 20 s for 5000 x 200 rows); optim(method=
             # "L-BFGS-B") on the primal objective with its gradient, factr 1e7 (default)
             [Side("sklearn", "scikit-learn LinearSVC", "py", args={"tol": 1e-4, "maxi": 1000}),
              Side("r", "R optim L-BFGS-B", "r", args={"maxi": 1000, "factr": 1e7})],
             targets={"sklearn": (1.0, "<= 1.0x scikit-learn"),
                      "r": (0.5, "<= 0.5x R (2x faster)")}),
    Workload("alg_multiLogReg", "multiLogReg builtin: multinomial logistic regression, K = 5, "
             "X 100000 x 50, intercept, unpenalised",
             {"m": 100000, "n": 50, "K": 5, "tol": 1e-6, "maxi": 100},
             {"m": 5000, "n": 20, "K": 5, "tol": 1e-6, "maxi": 100},
             # reg = 0 on every side: with a penalty the models differ (multiLogReg fixes the last
             # class at 0, scikit-learn penalises all K columns, nnet also the intercepts).
             # LogisticRegression(penalty=None, multi_class="multinomial", lbfgs (default) or
             # newton-cg, tol 1e-4 (default), max_iter 1000); nnet::multinom(y ~ X, maxit 1000,
             # BFGS, default abstol/reltol)
             [Side("sklearn", "scikit-learn LogisticRegression(lbfgs)", "py",
                   args={"solver": "lbfgs", "tol": 1e-4, "maxi": 1000}),
              Side("sklearn_ncg", "scikit-learn LogisticRegression(newton-cg)", "py",
                   args={"solver": "newton-cg", "tol": 1e-4, "maxi": 1000}),
              Side("r", "R nnet::multinom", "r", args={"maxi": 1000})],
             targets={"sklearn": (1.0, "<= 1.0x scikit-learn"),
                      "r": (0.5, "<= 0.5x R (2x faster)")}),
    Workload("alg_kmeans", "kmeans builtin: 10 runs (k-means++), k = 10, X 100000 x 10, "
             "10 overlapping clusters",
             {"m": 100000, "d": 10, "k": 10, "scale": 1.5, "runs": 10, "max_iter": 1000,
              "eps": 1e-6, "seed": 1},
             {"m": 5000, "d": 10, "k": 10, "scale": 1.5, "runs": 10, "max_iter": 1000,
              "eps": 1e-6, "seed": 1},
             # KMeans(init="k-means++", n_init=runs, algorithm="lloyd", max_iter, tol=1e-6,
             # random_state=seed): tol 1e-6 gives about kmeans' number of Lloyd iterations at
             # eps 1e-6 (191 and 215 over the 10 runs; the default 1e-4 gives 163). R: kmeans(X,
             # k, nstart=runs, iter.max=max_iter) after set.seed(seed), Hartigan-Wong (default)
             # and Lloyd; random rows as starts (R has no k-means++)
             [Side("sklearn", "scikit-learn KMeans", "py", args={"tol": 1e-6}),
              Side("r", "R kmeans (Hartigan-Wong)", "r"),
              Side("r_lloyd", "R kmeans (Lloyd)", "r", peer="alg_kmeans_lloyd")],
             targets={"sklearn": (1.0, "<= 1.0x scikit-learn"),
                      "r": (0.5, "<= 0.5x R (2x faster)")},
             # Lloyd stops once the WCSS falls by less than eps (tol) relative per iteration, a
             # little above the optimum: at full size the sides agree to ~4e-8, at the quick
             # size (5000 rows) to ~5e-6
             rtol=1e-5),
    Workload("alg_glm", "glm builtin: Poisson regression, log link, intercept, X 500000 x 50",
             {"m": 500000, "n": 50, "tol": 1e-6, "moi": 200},
             {"m": 10000, "n": 20, "tol": 1e-6, "moi": 200},
             # PoissonRegressor(alpha=0, solver="lbfgs" (default) or "newton-cholesky",
             # tol 1e-4 (default), max_iter 1000); R: glm(y ~ X, family=poisson()) (IRLS,
             # default control: epsilon 1e-8, maxit 25)
             [Side("sklearn", "scikit-learn PoissonRegressor(lbfgs)", "py",
                   args={"solver": "lbfgs", "tol": 1e-4, "maxi": 1000}),
              Side("sklearn_nc", "scikit-learn PoissonRegressor(newton-cholesky)", "py",
                   args={"solver": "newton-cholesky", "tol": 1e-4, "maxi": 1000}),
              Side("r", "R glm", "r")],
             targets={"sklearn": (1.0, "<= 1.0x scikit-learn"),
                      "r": (0.5, "<= 0.5x R (2x faster)")}),
    Workload("lenet", "LeNet training, 10 epochs of the 1500 digits, batch 32, SGD Nesterov",
             {"epochs": 10, "batch": 32, "lr": 0.05, "mu": 0.9},
             {"epochs": 1, "batch": 32, "lr": 0.05, "mu": 0.9},
             # bench/dml/lenet.dml (the loop of examples/lenet/lenet.dml) and PyTorch on the same
             # network, initial weights, batches and update. Tessera computes in float64: PyTorch
             # in float64 gives the same first-epoch loss (~1e-9 relative); PyTorch's default
             # float32 rounds differently from the first step on (first-epoch loss ~1% away,
             # the last ~8%), so its checksum is only checked to 5e-2
             [Side("torch64", "PyTorch float64", "py", args={"dtype": "float64"}),
              Side("torch32", "PyTorch float32", "py", args={"dtype": "float32"}, rtol=5e-2)],
             data="digits",
             targets={"torch64": (1.0, ">= 1.0x PyTorch samples/s"),
                      "torch32": (1.0, ">= 1.0x PyTorch samples/s")}),
]


def fmt_s(x):
    if x is None:
        return "-"
    return "%.3f" % x if x >= 0.01 else "%.4f" % x


def fmt_met(e):
    if "met" not in e:
        return "-"
    return "?" if e["met"] is None else ("met" if e["met"] else "not met")


def fmt_mb(kb):
    return "-" if kb is None else "%.0f" % (kb / 1024.0)


def openblas_coretype():
    """The kernel set Tessera's kn_blas_setup picks (OpenBLAS 0.3.21 may fall back to SSE3)."""
    try:
        with open("/proc/cpuinfo") as f:
            flags = next((l.split(":", 1)[1].split() for l in f if l.startswith("flags")), [])
    except OSError:
        return None
    if all(x in flags for x in ("avx512f", "avx512dq", "avx512bw", "avx512vl")):
        return "SkylakeX"
    if "avx2" in flags and "fma" in flags:
        return "Haswell"
    return None


class Runner:
    def __init__(self, args):
        self.args = args
        self.build = os.path.abspath(args.build)
        self.tessera = os.path.join(self.build, "bin", "tessera")
        self.helpers = os.path.join(self.build, "bench")
        self.peer_blas = None
        if args.peer_blas != "system":
            d = args.peer_blas or os.path.join(self.helpers, "openblas-pthread")
            if os.path.exists(os.path.join(d, "libopenblas.so.0")):
                self.peer_blas = os.path.abspath(d)
            elif args.peer_blas:
                sys.exit("run.py: no libopenblas.so.0 in %s" % d)
        self.base_env = dict(os.environ)
        core = openblas_coretype()
        if core and "OPENBLAS_CORETYPE" not in self.base_env:
            self.base_env["OPENBLAS_CORETYPE"] = core
        self.timefile = None

    # -- commands ------------------------------------------------------------------------
    def command(self, w, side, params):
        kv = ["%s=%s" % (k, v) for k, v in params.items()]
        env = dict(self.base_env)
        if side.kind == "tessera":
            cmd = [self.tessera, "-f", os.path.join(HERE, "dml", (side.script or w.script)
                                                    + ".dml"),
                   "-threads", str(side.threads), "-nvargs"] + kv
            return cmd, env
        threads = str(self.args.threads)
        env.update(OPENBLAS_NUM_THREADS=threads, OMP_NUM_THREADS=threads)
        if side.args:
            kv = ["%s=%s" % (k, v) for k, v in dict(params, **side.args).items()]
        if side.kind == "py":
            cmd = [PYTHON, os.path.join(HERE, "peers.py"), side.peer or w.name] + kv
            if self.peer_blas:
                env["LD_LIBRARY_PATH"] = self.peer_blas + ":" + env.get("LD_LIBRARY_PATH", "")
        elif side.kind == "r":
            cmd = ["Rscript", "--vanilla", os.path.join(HERE, "peers.R"),
                   os.path.join(self.helpers, "rclock.so"), side.peer or w.name] + kv
            if self.peer_blas:  # R's ldpaths puts R_LD_LIBRARY_PATH first
                env["R_LD_LIBRARY_PATH"] = self.peer_blas + ":" + "/usr/lib/R/lib"
        elif side.kind == "c":
            cmd = [os.path.join(self.helpers, "dgemm_openblas"), str(params["n"])]
            if self.peer_blas:
                env["LD_LIBRARY_PATH"] = self.peer_blas + ":" + env.get("LD_LIBRARY_PATH", "")
        else:
            raise ValueError(side.kind)
        return cmd, env

    def run_once(self, w, side, params):
        """Runs one side once; returns dict(seconds, checksum, peak_kb, extra) or raises."""
        cmd, env = self.command(w, side, params)
        full = ["/usr/bin/time", "-f", "%M", "-o", self.timefile] + cmd
        try:
            p = subprocess.run(full, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               universal_newlines=True, timeout=self.args.timeout)
        except subprocess.TimeoutExpired:
            raise RuntimeError("timed out after %d s: %s" % (self.args.timeout, " ".join(cmd)))
        line = next((l for l in p.stdout.splitlines()[::-1] if "seconds=" in l), None)
        if p.returncode != 0 or line is None:
            tail = (p.stderr.strip().splitlines() or ["(no output)"])[-3:]
            raise RuntimeError("%s failed (exit %d): %s" % (" ".join(cmd[:4]), p.returncode,
                                                            " | ".join(tail)))
        vals = dict(re.findall(r"(\w+)=(\S+)", line))
        peak = None
        try:
            with open(self.timefile) as f:
                peak = int(f.read().split()[-1])
        except (OSError, ValueError, IndexError):
            pass
        return {"seconds": float(vals.pop("seconds")), "checksum": float(vals.pop("checksum")),
                "peak_kb": peak, "extra": vals}

    # -- data files ----------------------------------------------------------------------
    def make_data(self, w, params, datadir):
        if not w.data:
            return params
        if w.data == "digits":  # the csv export of the LeNet example
            d = os.path.join(datadir, "digits")
            subprocess.run([PYTHON, os.path.join(ROOT, "examples", "lenet", "prepare_digits.py"),
                            d], stdout=subprocess.PIPE, check=True)
            return dict(params, dir=d)
        spec = {k: params[k] for k in (("m", "n", "density") if w.data == "sparse"
                                       else ("rows", "cols"))}
        out = subprocess.run([PYTHON, os.path.join(HERE, "gendata.py"), datadir, w.data]
                             + ["%s=%s" % kv for kv in spec.items()],
                             stdout=subprocess.PIPE, universal_newlines=True, check=True)
        paths = out.stdout.split()
        params = dict(params)
        params["file"] = paths[0]
        if w.data == "sparse":
            params["npz"] = paths[1]
            del params["density"]
        return params


def close(a, b, rtol=CHECK_RTOL):
    return abs(a - b) <= rtol * max(abs(a), abs(b), 1e-300)


def median(xs):
    return statistics.median(xs) if xs else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"),
                    help="build directory with bin/tessera and bench/ helpers (default: build)")
    ap.add_argument("--only", action="append", metavar="WORKLOAD",
                    help="run only this workload (repeatable): "
                    + ", ".join(w.name for w in WORKLOADS))
    ap.add_argument("--reps", type=int, help="runs of each side (default 5; --quick: 1)")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1,
                    help="threads for Tessera (-threads) and the peers (default: all cores)")
    ap.add_argument("--quick", action="store_true", help="small sizes and 1 repetition (smoke run)")
    ap.add_argument("--markdown", action="store_true", help="print the tables as Markdown")
    ap.add_argument("--json", metavar="FILE", help="also write every measurement to FILE")
    ap.add_argument("--peer-blas", metavar="DIR",
                    help="directory with the peers' libopenblas.so.0 (default: build/bench/"
                         "openblas-pthread if present); 'system' for the system BLAS")
    ap.add_argument("--no-speedup", action="store_true", help="skip the Tessera 1-thread runs")
    ap.add_argument("--no-system", action="store_true",
                    help="skip the machine probes (FP64 peak, pool overhead, BLAS thread safety)")
    ap.add_argument("--timeout", type=int, default=600, help="seconds allowed per run")
    ap.add_argument("--keep-data", action="store_true", help="keep the generated data files")
    args = ap.parse_args()
    reps = args.reps or (1 if args.quick else 5)
    names = [w.name for w in WORKLOADS]
    for o in args.only or []:
        if o not in names:
            ap.error("unknown workload %r (choose from %s)" % (o, ", ".join(names)))
    selected = [w for w in WORKLOADS if not args.only or w.name in args.only]

    r = Runner(args)
    if not os.access(r.tessera, os.X_OK):
        sys.exit("run.py: %s not found: run `make bench` (it builds first)" % r.tessera)
    for h in ("rclock.so", "dgemm_openblas", "peak"):
        if not os.path.exists(os.path.join(r.helpers, h)):
            sys.exit("run.py: %s/%s not found: run `make bench` (it builds the helpers)"
                     % (r.helpers, h))
    md = args.markdown
    t_start = time.time()
    load0 = loadavg()
    print(machine_line(r, args))
    system = {} if args.no_system else probes(r, args)
    tmp = tempfile.mkdtemp(prefix="tsr_bench_")
    r.timefile = os.path.join(tmp, "time.txt")
    results = []
    try:
        for w in selected:
            params = dict(w.quick if args.quick else w.params)
            sys.stderr.write("== %s: %s ...\n" % (w.name, w.title))
            sys.stderr.flush()
            params = r.make_data(w, params, os.path.join(tmp, "data"))
            sides = [Side("tessera", "Tessera", "tessera", args.threads)]
            if w.speedup and not args.no_speedup and args.threads > 1:
                sides.append(Side("tessera1", "Tessera 1 thread", "tessera", 1))
            for v in w.variants:
                t = v.threads or args.threads
                if any(s.script == v.script and s.threads == t for s in sides):
                    continue  # e.g. "-threads 1" and "-threads {threads}" with --threads 1
                sides.append(Side(v.key, v.label.format(threads=t), "tessera", t, v.script))
            sides += w.sides
            runs = {s.key + s.label: [] for s in sides}
            errors = {}
            for rep in range(reps):
                order = sides if rep % 2 == 0 else sides[::-1]
                for s in order:
                    k = s.key + s.label
                    if k in errors:
                        continue
                    try:
                        runs[k].append(r.run_once(w, s, params))
                    except RuntimeError as e:
                        errors[k] = str(e)
                        sys.stderr.write("   %s: %s\n" % (s.label, e))
            results.append(summarise(w, params, sides, runs, errors, args.threads))
    finally:
        if args.keep_data:
            sys.stderr.write("data kept in %s\n" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    print()
    print_tables(results, system, args, md, reps)
    print()
    print("total time of the run: %.0f s; load average at the start %s, at the end %s "
          "(other processes share these cores)" % (time.time() - t_start, load0, loadavg()))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"machine": machine_line(r, args), "system": system, "reps": reps,
                       "threads": args.threads, "quick": args.quick, "results": results}, f,
                      indent=1)
    bad = any(x["errors"] or x["mismatch"] for x in results)
    return 1 if bad else 0


def loadavg():
    try:
        return "%.1f" % os.getloadavg()[0]
    except OSError:
        return "?"


def machine_line(r, args):
    model = "?"
    try:
        out = subprocess.run(["lscpu"], stdout=subprocess.PIPE, universal_newlines=True).stdout
        model = next((l.split(":", 1)[1].strip() for l in out.splitlines()
                      if l.startswith("Model name")), "?")
    except OSError:
        pass
    blas = ("threaded OpenBLAS from %s" % os.path.relpath(r.peer_blas, ROOT)) if r.peer_blas \
        else "the system BLAS"
    return ("machine: %d CPUs, %s; Tessera -threads %d, peers %d threads on %s; "
            "OPENBLAS_CORETYPE=%s" % (os.cpu_count() or 0, model, args.threads, args.threads, blas,
                                      r.base_env.get("OPENBLAS_CORETYPE", "(auto)")))


def probes(r, args):
    """Machine limits and sanity checks, printed before the workloads."""
    out = {}
    peak = os.path.join(r.helpers, "peak")
    for k in sorted({1, args.threads}):
        p = subprocess.run([peak, str(k)], stdout=subprocess.PIPE, universal_newlines=True)
        m = re.search(r"gflops=([\d.]+)", p.stdout)
        if m:
            out["peak_gflops_%d" % k] = float(m.group(1))
    if out:
        print("FP64 FMA peak (bench/peak.c): " + ", ".join(
            "%s GFLOP/s on %s thread%s" % (v, k.rsplit("_", 1)[1], "" if k.endswith("_1") else "s")
            for k, v in sorted(out.items())))
    par = os.path.join(r.helpers, "par_overhead")
    if os.access(par, os.X_OK):
        p = subprocess.run([par, str(args.threads)], stdout=subprocess.PIPE,
                           universal_newlines=True, env=r.base_env)
        out["par_overhead"] = p.stdout.strip().splitlines()
        for line in out["par_overhead"]:
            print("pool (bench/par_overhead.c): " + line)
    race = os.path.join(r.helpers, "blas_race")
    if os.access(race, os.X_OK) and args.threads > 1:
        p = subprocess.run([race, str(args.threads), "0.1"], stdout=subprocess.PIPE,
                           universal_newlines=True, env=r.base_env)
        summary = (p.stdout.strip().splitlines() or ["blas_race: no output"])[-1]
        out["blas_race"] = p.stdout.strip().splitlines()
        m = re.search(r"wrong=(\d+)", summary)
        if m and int(m.group(1)) > 0:
            print("WARNING: Tessera's OpenBLAS gave wrong results when called from %d threads at "
                  "once (bench/blas_race.c):" % args.threads)
            for line in out["blas_race"]:
                print("  " + line)
        else:
            print("OpenBLAS concurrent dgemm check (bench/blas_race.c): " +
                  summary.replace("blas_race: ", ""))
    return out


def summarise(w, params, sides, runs, errors, threads):
    res = {"workload": w.name, "title": w.title, "params": params, "sides": [], "errors": errors,
           "mismatch": [], "rtol": w.rtol, "label": (w.label or "Tessera -threads {threads}").format(
               threads=threads)}
    for s in sides:
        rs = runs[s.key + s.label]
        secs = [x["seconds"] for x in rs]
        peaks = [x["peak_kb"] for x in rs if x["peak_kb"] is not None]
        entry = {"key": s.key, "label": s.label, "kind": s.kind, "threads": s.threads,
                 "rtol": s.rtol or w.rtol, "peer": s.peer, "args": s.args,
                 "script": (s.script or w.script) if s.kind == "tessera" else None,
                 "seconds": secs, "median": median(secs), "peak_kb": max(peaks) if peaks else None,
                 "checksums": [x["checksum"] for x in rs], "extra": rs[0]["extra"] if rs else {}}
        if w.flops and entry["median"]:
            entry["gflops"] = w.flops(params) / entry["median"] / 1e9
        if w.per_iter and entry["median"]:
            entry["us_per_iter"] = entry["median"] / w.per_iter[0](params) * 1e6
        res["sides"].append(entry)
    # The reference result is the checksum most runs agree with (a side whose runs disagree
    # with each other shows up too, not only one that disagrees with Tessera's first run).
    every = [c for e in res["sides"] for c in e["checksums"]]
    ref = max(every, key=lambda c: sum(close(c, d, w.rtol) for d in every)) if every else None
    for e in res["sides"]:
        bad = [(i + 1, c) for i, c in enumerate(e["checksums"]) if not close(c, ref, e["rtol"])]
        if bad:
            res["mismatch"].append(
                "%s: run%s %s of %d gave %s; most runs of all sides gave %.12g (more than %g "
                "relative apart)"
                % (e["label"], "s" if len(bad) > 1 else "", ",".join(str(i) for i, _ in bad),
                   len(e["checksums"]), ", ".join("%.12g" % c for _, c in bad), ref,
                   e["rtol"]))
    tess = res["sides"][0]
    for e in res["sides"][1:]:
        if e["key"] == "tessera1":  # the speedup table
            continue
        e["ratio"] = (tess["median"] / e["median"]) if tess["median"] and e["median"] else None
        tgt = w.targets.get(e["key"])
        if tgt:
            e["target"] = tgt[1]
            e["met"] = None if e["ratio"] is None else e["ratio"] <= tgt[0]
    one = next((e for e in res["sides"] if e["key"] == "tessera1"), None)
    if one and one["median"] and tess["median"]:
        res["speedup"] = one["median"] / tess["median"]
    if w.per_iter:
        res["per_iter"] = {"iterations": w.per_iter[0](params), "max_us": w.per_iter[1],
                           "target": w.per_iter[2]}
        if tess.get("us_per_iter") is not None:
            tess["target"] = w.per_iter[2]
            tess["met"] = tess["us_per_iter"] <= w.per_iter[1]
    return res


def table(header, rows, md):
    if md:
        lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
        lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
        return "\n".join(lines)
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    out = ["  ".join(str(c).ljust(wd) for c, wd in zip(header, widths))]
    out.append("  ".join("-" * wd for wd in widths))
    out += ["  ".join(str(c).ljust(wd) for c, wd in zip(row, widths)) for row in rows]
    return "\n".join(out)


def print_tables(results, system, args, md, reps):
    print("%s; medians of %d run%s per side; compute seconds measured inside each process; "
          "ratio < 1: Tessera faster" % ("quick sizes" if args.quick else "full sizes", reps,
                                         "" if reps == 1 else "s"))
    print()
    header = ["workload", "Tessera s", "peer", "peer s", "Tessera/peer", "target", "met",
              "Tessera MB", "peer MB"]
    rows = []
    for x in results:
        t = x["sides"][0]
        for e in x["sides"][1:]:
            if e["kind"] == "tessera":
                continue
            rows.append([x["workload"], fmt_s(t["median"]), e["label"], fmt_s(e["median"]),
                         "-" if e.get("ratio") is None else "%.2f" % e["ratio"],
                         e.get("target", "-"), fmt_met(e), fmt_mb(t["peak_kb"]),
                         fmt_mb(e["peak_kb"])])
    print(table(header, rows, md))

    gemm = next((x for x in results if x["workload"] == "gemm"), None)
    if gemm:
        peak = system.get("peak_gflops_%d" % args.threads)
        print()
        parts = []
        for e in gemm["sides"]:
            if e.get("gflops"):
                parts.append("%s %.1f GFLOP/s%s" % (
                    e["label"] + ("" if e["kind"] != "tessera" or e["key"] == "tessera1" else
                                  " (%d thread%s)" % (e["threads"],
                                                       "" if e["threads"] == 1 else "s")),
                    e["gflops"], " = %.0f%% of peak" % (100 * e["gflops"] / peak)
                    if peak and e["key"] != "tessera1" else ""))
        loaded = peak and any(e.get("gflops", 0) > peak for e in gemm["sides"])
        print("GEMM n=%d: %s%s%s" % (gemm["params"]["n"], "; ".join(parts),
                                     " (FP64 peak %.1f GFLOP/s on %d threads)"
                                     % (peak, args.threads) if peak else "",
                                     "; the peak probe ran below a measured rate: other processes"
                                     " were using the cores" if loaded else ""))

    ew = next((x for x in results if x["workload"] == "ewchain"), None)
    if ew and ew["sides"] and ew["sides"][0]["median"]:
        # three input vectors read once: the memory traffic of a fused pass
        t = ew["sides"][0]["median"]
        gb = 3 * 8 * ew["params"]["N"] / 1e9
        print()
        print("ewchain: Tessera reads %.2f GB in %.4f s = %.1f GB/s; at STREAM triad ~35 GB/s "
              "(BENCH.md) the pass takes %.4f s: %.2fx the bandwidth limit (target <= 1.5x)"
              % (gb, t, gb / t, gb / 35.0, t / (gb / 35.0)))

    thr = [x for x in results if any("samples" in e["extra"] for e in x["sides"])]
    for x in thr:
        parts = []
        for e in x["sides"]:
            if e["median"] and "samples" in e["extra"]:
                parts.append("%s %.0f" % (e["label"], float(e["extra"]["samples"]) / e["median"]))
        print()
        print("%s: training samples/s (samples / median seconds): %s" % (x["workload"],
                                                                          "; ".join(parts)))

    sp = [x for x in results if "speedup" in x]
    if sp:
        print()
        print("Tessera speedup, %d threads over 1 thread (target >= 1.8x):" % args.threads)
        print()
        rows = []
        for x in sp:
            one = next(e for e in x["sides"] if e["key"] == "tessera1")
            rows.append([x["workload"], fmt_s(one["median"]), fmt_s(x["sides"][0]["median"]),
                         "%.2fx" % x["speedup"], "met" if x["speedup"] >= 1.8 else "not met"])
        print(table(["workload", "1 thread s", "%d threads s" % args.threads, "speedup", "met"],
                    rows, md))

    var = [x for x in results
           if any(e["kind"] == "tessera" and e["key"] != "tessera1" for e in x["sides"][1:])]
    if var:
        print()
        print("Tessera variants: the same computation as another script or at another thread "
              "count (Tessera/variant < 1: the workload's own Tessera side is faster):")
        print()
        rows = []
        for x in var:
            t = x["sides"][0]
            for e in x["sides"][1:]:
                if e["kind"] != "tessera" or e["key"] == "tessera1":
                    continue
                r = e.get("ratio")
                rows.append([x["workload"], x["label"], fmt_s(t["median"]), e["label"],
                             fmt_s(e["median"]), "-" if r is None else "%.2f" % r,
                             "-" if not r else "%.2fx" % (1 / r), e.get("target", "-"),
                             fmt_met(e)])
        print(table(["workload", "Tessera", "s", "variant", "variant s", "Tessera/variant",
                     "variant/Tessera", "target", "met"], rows, md))

    per = [x for x in results if "per_iter" in x]
    if per:
        print()
        print("Cost per loop iteration (median seconds / iterations):")
        print()
        rows = []
        for x in per:
            for i, e in enumerate(x["sides"]):
                label = x["label"] if i == 0 else e["label"]
                rows.append([x["workload"], label, x["per_iter"]["iterations"],
                             fmt_s(e["median"]), "-" if e.get("us_per_iter") is None
                             else "%.3f" % e["us_per_iter"],
                             e.get("target", "-") if i == 0 else "-",
                             fmt_met(e) if i == 0 else "-"])
        print(table(["workload", "side", "iterations", "s", "us_per_iter", "target", "met"],
                    rows, md))

    notes = []
    for x in results:
        for e in x["sides"]:
            want = x["params"].get("iters")
            if want is not None and e["extra"].get("iters") not in (None, str(want)):
                notes.append("%s: %s ran %s iterations, not %s" % (x["workload"], e["label"],
                                                                    e["extra"]["iters"], want))
        for m in x["mismatch"]:
            notes.append("WARNING %s: wrong result? %s" % (x["workload"], m))
        for k, err in x["errors"].items():
            notes.append("ERROR %s: %s" % (x["workload"], err))
    if notes:
        print()
        for n in notes:
            print(("- " if md else "") + n)
    ok = [x["workload"] + ("" if x["rtol"] == CHECK_RTOL else " (within %g)" % x["rtol"])
          + "".join(" (%s within %g)" % (e["label"], e["rtol"]) for e in x["sides"]
                    if e["rtol"] != x["rtol"])
          for x in results if not x["mismatch"] and not x["errors"]]
    if ok:
        print()
        print("checksums agree (within %g relative) on: %s" % (CHECK_RTOL, ", ".join(ok)))


if __name__ == "__main__":
    sys.exit(main())
