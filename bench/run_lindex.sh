#!/usr/bin/env bash
# bench/run_lindex.sh - scaling of the left-indexing loop (bench/lindex.dml):
# seconds and seconds per row for n = 2000 .. 32000 rows of 100 columns.  A
# constant time per row means the loop is O(n * ncol) (no copy of X per
# iteration); a copy would make the time per row grow linearly with n.
# Usage: bench/run_lindex.sh [reps]
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-3}
TESSERA=${TESSERA:-build/bin/tessera}
printf "%8s %12s %16s\n" n seconds "us per row"
for n in 2000 4000 8000 16000 32000; do
  best=""
  for r in $(seq 1 "$reps"); do
    s=$("$TESSERA" -f bench/lindex.dml -nvargs n="$n" | sed -n 's/.*BENCH seconds=\([0-9.eE-]*\).*/\1/p')
    best=$(python3 -c "import sys; a=[float(x) for x in sys.argv[1:] if x]; print(min(a))" $s $best)
  done
  python3 -c "import sys; n=int(sys.argv[1]); s=float(sys.argv[2]); print('%8d %12.4f %16.3f' % (n, s, s / n * 1e6))" "$n" "$best"
done
