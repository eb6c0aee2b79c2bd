#!/usr/bin/env python3
"""tests/run_example_lenet.py - runs the LeNet example end to end as a user would.

Exports scikit-learn's digits with examples/lenet/prepare_digits.py into a temporary directory,
trains examples/lenet/lenet.dml for a few epochs and checks that the network learned: the
training loss falls every epoch and the test accuracy reaches at least --min-accuracy (the
example reaches ~0.95 after 3 epochs; a network that learns nothing scores ~0.1).

usage: run_example_lenet.py --tessera BIN [--epochs 3] [--min-accuracy 0.9]
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
EXAMPLE = os.path.join(ROOT, "examples", "lenet")


def python_with_sklearn():
    """An interpreter that can import sklearn: this one, else Debian's."""
    for py in (sys.executable, "/usr/bin/python3"):
        if py and subprocess.run([py, "-c", "import sklearn"], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL).returncode == 0:
            return py
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tessera", required=True)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--min-accuracy", type=float, default=0.9)
    a = ap.parse_args()
    py = python_with_sklearn()
    if py is None:
        print("FAIL: no python3 with sklearn (install python3-sklearn)")
        return 1
    tmp = tempfile.mkdtemp(prefix="tsr_lenet_")
    try:
        subprocess.run([py, os.path.join(EXAMPLE, "prepare_digits.py"), tmp], check=True)
        p = subprocess.run([a.tessera, "-f", os.path.join(EXAMPLE, "lenet.dml"), "-nvargs",
                            "dir=" + tmp, "epochs=%d" % a.epochs],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True, timeout=600)
        sys.stdout.write(p.stdout)
        if p.returncode != 0:
            print("FAIL: lenet.dml exited with %d: %s" % (p.returncode, p.stderr.strip()))
            return 1
        losses = [float(x) for x in re.findall(r"training loss (\S+)", p.stdout)]
        acc = re.search(r"test accuracy: (\S+)", p.stdout)
        if len(losses) != a.epochs or acc is None:
            print("FAIL: expected %d epoch lines and the test accuracy" % a.epochs)
            return 1
        if any(b >= c for c, b in zip(losses, losses[1:])):
            print("FAIL: the training loss did not fall every epoch: %s" % losses)
            return 1
        if float(acc.group(1)) < a.min_accuracy:
            print("FAIL: test accuracy %s below %g" % (acc.group(1), a.min_accuracy))
            return 1
        print("PASS: loss %s, test accuracy %s" % (losses, acc.group(1)))
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
