#!/usr/bin/env bash
# bench/run_reuse.sh - memory reuse on/off (bench/reuse.dml): a loop of
# X = X * 0.5 + 1 on a 5000x5000 matrix and a loop of Z = (X*2+Y)/(Y+1), each
# run on its own under four configurations, alternating (A B C D A B C D ...):
#   none     TSR_BUFCACHE=0 TSR_INPLACE=0   (every output a fresh calloc)
#   cache    TSR_INPLACE=0                  (freed buffers reused)
#   inplace  TSR_BUFCACHE=0                 (X = X op ... into X's block)
#   both     (the default)
# Prints the median compute seconds and median peak RSS (/usr/bin/time %M).
# Usage: bench/run_reuse.sh [reps] [n] [iters]
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-3}; n=${2:-5000}; iters=${3:-20}
TESSERA=${TESSERA:-build/bin/tessera}
configs=(none cache inplace both)
envof() {
  case $1 in
    none) echo "TSR_BUFCACHE=0 TSR_INPLACE=0" ;;
    cache) echo "TSR_INPLACE=0" ;;
    inplace) echo "TSR_BUFCACHE=0" ;;
    both) echo "" ;;
  esac
}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for r in $(seq 1 "$reps"); do
  for loop in 1 2; do
    for c in "${configs[@]}"; do
      env $(envof "$c") /usr/bin/time -f "peak_kb= %M" -o "$tmp/time" \
        "$TESSERA" -f bench/reuse.dml -nvargs n="$n" iters="$iters" loop="$loop" > "$tmp/out"
      key=$([ "$loop" = 1 ] && echo update_seconds || echo tree_seconds)
      sed -nE "s/.*$key= ([0-9.E-]+).*/\1/p" "$tmp/out" >> "$tmp/$c.$loop.secs"
      sed -nE 's/.*peak_kb= ([0-9]+).*/\1/p' "$tmp/time" >> "$tmp/$c.$loop.kb"
    done
  done
done
median() { sort -g "$1" | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
echo "n=$n iters=$iters reps=$reps ($(nproc) cores)"
printf '%-8s %14s %14s %14s %14s\n' config update_s update_peakMB tree_s tree_peakMB
for c in "${configs[@]}"; do
  awk -v c="$c" -v us="$(median "$tmp/$c.1.secs")" -v uk="$(median "$tmp/$c.1.kb")" \
      -v ts="$(median "$tmp/$c.2.secs")" -v tk="$(median "$tmp/$c.2.kb")" \
      'BEGIN{printf "%-8s %14.3f %14.0f %14.3f %14.0f\n", c, us, uk/1024, ts, tk/1024}' 
done
