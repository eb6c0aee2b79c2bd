#!/usr/bin/env python3
"""Runs one DML script test and checks it against its expectation file.

Usage:
    python3 tests/run_dml_test.py --tessera PATH/TO/tessera tests/dml/NAME.dml

Exactly one expectation file must sit next to NAME.dml:

  NAME.R    R oracle.  `Rscript --vanilla NAME.R TMP` is run first (cwd = the
            script's directory, env TSR_TMP = TMP), then tessera.  Both stdouts
            are compared token by token (whitespace-separated); numeric tokens
            match within |a-b| <= atol + rtol*|b| (b = R's value).  Defaults
            rtol=1e-9 atol=1e-12; a first line `# tol: rtol=1e-6 atol=1e-8` in
            the .R file overrides them.  Both programs must exit 0.
  NAME.out  exact expected stdout (a missing final newline is normalised);
            tessera must exit 0.
  NAME.err  tessera must fail with an ordinary non-zero exit code (no signal,
            no sanitizer report), and every non-empty line of NAME.err must be
            a substring of tessera's stderr.

Optional NAME.args: one line of extra command-line arguments for tessera
(split with shlex); the token {TMP} is replaced by a fresh temporary directory
that is deleted afterwards.

Lines of tessera's stdout from a line starting with `SystemDS Statistics:` on
are ignored.  Exit status 0 = pass, 1 = fail (with a report on stdout).
Standard library only.
"""

import argparse
import math
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

TIMEOUT = 60
MAX_LINES = 40
DEFAULT_RTOL = 1e-9
DEFAULT_ATOL = 1e-12
STATS_MARKER = "SystemDS Statistics:"

# Numbers as printed by Java/DML (1.0E-4, Infinity, NaN) or by R (1e-04, Inf, NA).
NUM_RE = re.compile(
    r"^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|Infinity|Inf|NaN|NA)$")
SANITIZER_RE = re.compile(
    r"AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|ThreadSanitizer"
    r"|MemorySanitizer|\.[ch]:\d+:\d+: runtime error:")
TOL_RE = re.compile(r"^#\s*tol:\s*(.*)$")


class Result:
    def __init__(self, cmd, rc, out, err, timed_out=False):
        self.cmd, self.rc, self.out, self.err = cmd, rc, out, err
        self.timed_out = timed_out


def run(cmd, cwd, env=None):
    try:
        p = subprocess.run(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=TIMEOUT)
        return Result(cmd, p.returncode, p.stdout.decode("utf-8", "replace"),
                      p.stderr.decode("utf-8", "replace"))
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode("utf-8", "replace")
        err = (e.stderr or b"").decode("utf-8", "replace")
        return Result(cmd, None, out, err, timed_out=True)
    except OSError as e:
        return Result(cmd, None, "", "cannot execute: %s" % e)


def strip_stats(text):
    lines = text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.startswith(STATS_MARKER):
            return "".join(lines[:i])
    return text


def truncate(text, limit=MAX_LINES):
    lines = text.splitlines()
    if len(lines) <= limit:
        return "\n".join(lines)
    return "\n".join(lines[:limit]) + "\n... (%d more lines)" % (len(lines) - limit)


def show(title, text):
    print("---- %s ----" % title)
    print(truncate(text) if text else "(empty)")


def describe_rc(res):
    if res.timed_out:
        return "timeout after %d s" % TIMEOUT
    if res.rc is None:
        return "not run"
    if res.rc < 0:
        return "killed by signal %d" % -res.rc
    return "exit code %d" % res.rc


def report_run(label, res):
    print("%s command: %s" % (label, " ".join(shlex.quote(c) for c in res.cmd)))
    print("%s status: %s" % (label, describe_rc(res)))


def sanitizer_problem(res):
    m = SANITIZER_RE.search(res.err)
    return m.group(0) if m else None


def parse_num(tok):
    if not NUM_RE.match(tok):
        return None
    t = tok.lstrip("+-")
    neg = tok.startswith("-")
    if t in ("NaN", "NA"):
        return math.nan
    if t in ("Inf", "Infinity"):
        return -math.inf if neg else math.inf
    try:
        return float(tok)
    except ValueError:
        return None


def tokens_match(a, b, rtol, atol):
    if a == b:
        return True
    if a in ("TRUE", "FALSE") or b in ("TRUE", "FALSE"):
        return False
    x, y = parse_num(a), parse_num(b)
    if x is None or y is None:
        return False
    if math.isnan(x) or math.isnan(y):
        return math.isnan(x) and math.isnan(y)
    if math.isinf(x) or math.isinf(y):
        return x == y
    return abs(x - y) <= atol + rtol * abs(y)


def tokenize(text):
    """[(token, 1-based line number)]"""
    toks = []
    for ln, line in enumerate(text.splitlines(), 1):
        for t in line.split():
            toks.append((t, ln))
    return toks


def read_tolerance(rfile):
    rtol, atol = DEFAULT_RTOL, DEFAULT_ATOL
    with open(rfile, encoding="utf-8") as f:
        first = f.readline().strip()
    m = TOL_RE.match(first)
    if m:
        for part in m.group(1).replace(",", " ").split():
            k, _, v = part.partition("=")
            if k == "rtol":
                rtol = float(v)
            elif k == "atol":
                atol = float(v)
            else:
                raise ValueError("unknown tolerance key %r in %s" % (k, rfile))
    return rtol, atol


def line_of(text, n):
    lines = text.splitlines()
    return lines[n - 1] if 0 < n <= len(lines) else ""


def compare_tokens(actual, expected, rtol, atol):
    """Returns None if equal, else a description of the first difference."""
    ta, te = tokenize(actual), tokenize(expected)
    for i in range(min(len(ta), len(te))):
        (a, la), (e, le) = ta[i], te[i]
        if not tokens_match(a, e, rtol, atol):
            return ("token #%d differs: tessera %r (stdout line %d: %r) vs R %r "
                    "(R line %d: %r); rtol=%g atol=%g"
                    % (i + 1, a, la, line_of(actual, la), e, le,
                       line_of(expected, le), rtol, atol))
    if len(ta) != len(te):
        if len(ta) < len(te):
            e, le = te[len(ta)]
            return ("tessera output ended after %d tokens; R continues with %r "
                    "(R line %d: %r)" % (len(ta), e, le, line_of(expected, le)))
        a, la = ta[len(te)]
        return ("R output ended after %d tokens; tessera continues with %r "
                "(stdout line %d: %r)" % (len(te), a, la, line_of(actual, la)))
    return None


def norm_final_newline(s):
    return s if s == "" or s.endswith("\n") else s + "\n"


def first_line_diff(actual, expected):
    al, el = actual.split("\n"), expected.split("\n")
    for i in range(max(len(al), len(el))):
        a = al[i] if i < len(al) else None
        e = el[i] if i < len(el) else None
        if a != e:
            return "first difference at line %d: got %r, expected %r" % (i + 1, a, e)
    return "outputs differ"


def fail(msg):
    print("FAIL: " + msg)
    return 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tessera", required=True, help="path to the tessera binary")
    ap.add_argument("--blocks", choices=["auto", "dense", "sparse"], default=None,
                    help="force the block format of every result (differential runs)")
    ap.add_argument("--opt", choices=["0", "1", "2"], default=None,
                    help="optimisation level (-O0: no rewrites, no fusion)")
    ap.add_argument("--threads", type=int, default=None,
                    help="-threads K: parfor loops run on K workers (default par = threads)")
    ap.add_argument("script", help="tests/dml/NAME.dml")
    opts = ap.parse_args()

    tessera = os.path.abspath(opts.tessera)
    script = os.path.abspath(opts.script)
    tdir = os.path.dirname(script)
    base = os.path.splitext(os.path.basename(script))[0]
    stem = os.path.join(tdir, base)

    if not os.path.isfile(script):
        return fail("script %s does not exist" % script)
    kinds = [k for k in (".R", ".out", ".err") if os.path.isfile(stem + k)]
    if len(kinds) != 1:
        return fail("%s needs exactly one of %s.R / %s.out / %s.err, found %s"
                    % (base, base, base, base, kinds or "none"))
    kind = kinds[0]

    tmp = tempfile.mkdtemp(prefix="tsr_%s_" % base)
    try:
        extra = []
        if os.path.isfile(stem + ".args"):
            with open(stem + ".args", encoding="utf-8") as f:
                line = f.read().strip()
            extra = [t.replace("{TMP}", tmp) for t in shlex.split(line)]

        oracle = None
        if kind == ".R":
            if shutil.which("Rscript") is None:
                return fail("Rscript not found (install r-base-core)")
            try:
                rtol, atol = read_tolerance(stem + ".R")
            except ValueError as e:
                return fail(str(e))
            env = dict(os.environ, TSR_TMP=tmp)
            oracle = run(["Rscript", "--vanilla", base + ".R", tmp], tdir, env)

        forced = ["-blocks", opts.blocks] if opts.blocks else []
        if opts.opt is not None:
            forced.append("-O" + opts.opt)
        if opts.threads is not None:
            forced += ["-threads", str(opts.threads)]
        res = run([tessera] + forced + ["-f", base + ".dml"] + extra, tdir)
        out = strip_stats(res.out)

        def full_report(problem):
            print("FAIL: %s: %s" % (base, problem))
            report_run("tessera", res)
            show("tessera stdout", out)
            show("tessera stderr", res.err)
            if oracle is not None:
                report_run("R", oracle)
                show("R stdout", oracle.out)
                if oracle.err.strip():
                    show("R stderr", oracle.err)
            return 1

        if oracle is not None and (oracle.timed_out or oracle.rc != 0):
            return full_report("the R oracle is broken (%s)" % describe_rc(oracle))
        if res.timed_out:
            return full_report("tessera timed out after %d s" % TIMEOUT)
        if res.rc is None:
            return full_report("tessera could not be run")
        san = sanitizer_problem(res)
        if san:
            return full_report("sanitizer report in stderr (%s)" % san)
        if res.rc < 0 or res.rc >= 128:
            return full_report("tessera crashed (%s)" % describe_rc(res))

        if kind == ".err":
            if res.rc == 0:
                return full_report("expected an error (non-zero exit), got exit code 0")
            with open(stem + ".err", encoding="utf-8") as f:
                pats = [l.rstrip("\r\n") for l in f]
            missing = [p for p in pats if p.strip() and p not in res.err]
            if missing:
                return full_report("stderr lacks expected text: "
                                   + "; ".join(repr(p) for p in missing))
            return 0

        if res.rc != 0:
            return full_report("tessera failed (%s)" % describe_rc(res))

        if kind == ".out":
            with open(stem + ".out", encoding="utf-8", newline="") as f:
                expected = f.read()
            a, e = norm_final_newline(out), norm_final_newline(expected)
            if a != e:
                r = full_report("stdout differs from %s.out: %s"
                                % (base, first_line_diff(a, e)))
                show("expected stdout", e)
                return r
            return 0

        diff = compare_tokens(out, oracle.out, rtol, atol)
        if diff:
            return full_report(diff)
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
