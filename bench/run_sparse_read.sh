#!/usr/bin/env bash
# bench/run_sparse_read.sh - reading a sparse 1,000,000 x 100,000 matrix with
# 10^6 non-zeros (density 1e-5) through the CLI: wall time and peak RSS
# (/usr/bin/time %M) of `X = read(...); print(sum(X))` for text/ijv in
# row-major and in shuffled cell order, and for the mm, binary and libsvm
# files Tessera writes from it.  A dense block would need 800 GB.
# Files go to $TMPDIR (default /tmp), never into the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
TESSERA=${TESSERA:-build/bin/tessera}
D=${TMPDIR:-/tmp}/tsr_sparse_read
mkdir -p "$D"
python3 - "$D" <<'PY'
import random, sys
d = sys.argv[1]
random.seed(42)
R, C, N = 1000000, 100000, 1000000
cells = set()
while len(cells) < N:
    cells.add((random.randrange(R), random.randrange(C)))
cells = sorted(cells)
vals = [random.uniform(-1, 1) or 0.5 for _ in cells]
with open(d + "/big.ijv", "w") as f:
    f.write("".join("%d %d %.6g\n" % (i + 1, j + 1, v) for (i, j), v in zip(cells, vals)))
order = list(range(N))
random.shuffle(order)
with open(d + "/big_shuf.ijv", "w") as f:
    f.write("".join("%d %d %.6g\n" % (cells[k][0] + 1, cells[k][1] + 1, vals[k]) for k in order))
PY
run() {  # label, script
  /usr/bin/time -f "%e %M" -o "$D/time" "$TESSERA" -s "$2" -blocks sparse > "$D/out"
  printf '%-34s %6.2f s %8.1f MB   sum %s\n' "$1" "$(cut -d' ' -f1 "$D/time")" \
    "$(awk '{print $2/1024}' "$D/time")" "$(head -1 "$D/out")"
}
DIMS='rows=1000000, cols=100000, format="text"'
run "text, row-major order" "X = read(\"$D/big.ijv\", $DIMS); print(sum(X))"
run "text, shuffled order" "X = read(\"$D/big_shuf.ijv\", $DIMS); print(sum(X))"
"$TESSERA" -s "X = read(\"$D/big.ijv\", $DIMS)
  write(X, \"$D/w.mm\", format=\"mm\"); write(X, \"$D/w.bin\", format=\"binary\")
  write(X, \"$D/w.svm\", format=\"libsvm\")" -blocks sparse > /dev/null
for f in w.mm w.bin w.svm; do run "$f (written by tessera)" "X = read(\"$D/$f\"); print(sum(X))"; done
run "baseline: print(1)" "print(1)"
rm -rf "$D"
