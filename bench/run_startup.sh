#!/usr/bin/env bash
# bench/run_startup.sh - process start-up: `tessera -s 'print(1)'` vs R and
# Python+NumPy doing the same, alternating, N runs each; median wall ms.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-20}
TESSERA=${TESSERA:-build/bin/tessera}
ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(( (e - s) / 1000 )); }
t=(); r=(); p=()
for i in $(seq 1 "$N"); do
  t+=($(ms "$TESSERA" -s 'print(1)'))
  command -v Rscript >/dev/null && r+=($(ms Rscript -e 'print(1)'))
  python3 -c 'import numpy' 2>/dev/null && p+=($(ms python3 -c 'import numpy; print(1)'))
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
mt=$(median "${t[@]}")
echo "tessera -s 'print(1)': median $(awk -v v="$mt" 'BEGIN{printf "%.2f", v/1000}') ms over $N runs"
if [ ${#r[@]} -gt 0 ]; then mr=$(median "${r[@]}"); echo "Rscript -e 'print(1)': median $(awk -v v="$mr" 'BEGIN{printf "%.1f", v/1000}') ms  (ratio R/tessera $(awk -v a="$mr" -v b="$mt" 'BEGIN{printf "%.0f", a/b}'))"; fi
if [ ${#p[@]} -gt 0 ]; then mp=$(median "${p[@]}"); echo "python3 import numpy: median $(awk -v v="$mp" 'BEGIN{printf "%.1f", v/1000}') ms  (ratio $(awk -v a="$mp" -v b="$mt" 'BEGIN{printf "%.0f", a/b}'))"; fi
