#!/usr/bin/env python3
"""Checks the examples in the user documentation against the binary.

Every ```dml (or ```sh) block that is directly followed by a ```text block is
run (dml: `tessera -s CODE`; sh: `bash -c CODE` with tessera on PATH) in a
fresh temporary directory, and its output must equal the text block.  A first
line '# run with: ARGS' passes ARGS to tessera.  The statistics block and the
"created" timestamps of .mtd files are ignored.

usage: check_docs.py --tessera PATH doc1.md [doc2.md ...]; exit 0 iff all match.
"""
import argparse, os, re, shlex, shutil, subprocess, sys, tempfile


def blocks(md):
    lines = md.split("\n")
    i, out = 0, []
    while i < len(lines):
        m = re.match(r"^```(\w*)\s*$", lines[i])
        if m:
            j = i + 1
            while j < len(lines) and not lines[j].startswith("```"):
                j += 1
            out.append((m.group(1), "\n".join(lines[i + 1:j]), i + 1))
            i = j + 1
        else:
            i += 1
    return out


def norm(t):
    t = re.sub(r'"created": "[^"]*"', '"created": "-"', t)
    return t.rstrip("\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tessera", required=True)
    ap.add_argument("docs", nargs="+")
    a = ap.parse_args()
    binary = os.path.abspath(a.tessera)
    env = dict(os.environ, PATH=os.path.dirname(binary) + ":" + os.environ["PATH"])
    n = bad = 0
    for path in a.docs:
        bl = blocks(open(path, encoding="utf-8").read())
        for k in range(len(bl) - 1):
            lang, code, ln = bl[k]
            if lang not in ("dml", "sh") or bl[k + 1][0] != "text":
                continue
            first = code.split("\n")[0]
            args = shlex.split(first[len("# run with:"):]) if first.startswith("# run with:") else []
            cmd = [binary, "-s", code] + args if lang == "dml" else ["bash", "-c", code]
            tmp = tempfile.mkdtemp(prefix="tsr-doc-")
            try:
                r = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   text=True, cwd=tmp, timeout=60)
                out = r.stdout
            except subprocess.TimeoutExpired:
                out = "<timeout>"
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
            got = "\n".join(l for l in out.split("\n")
                            if not l.startswith("SystemDS Statistics:")
                            and not l.startswith("Total execution time:"))
            n += 1
            if norm(got) != norm(bl[k + 1][1]):
                bad += 1
                print(f"--- {path}:{ln} MISMATCH\n[expected]\n{bl[k + 1][1]}\n[got]\n{got}")
    print(f"{n} examples checked, {bad} mismatches")
    return 1 if bad or n == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
