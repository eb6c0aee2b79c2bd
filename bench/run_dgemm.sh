#!/usr/bin/env bash
# bench/run_dgemm.sh - Tessera %*% vs OpenBLAS dgemm called directly, same n,
# alternating runs (A B A B ...), ratio of medians.  Usage: bench/run_dgemm.sh [n] [reps]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-4000}; reps=${2:-5}
TESSERA=${TESSERA:-build/bin/tessera}
# The direct peer gets the same OpenBLAS kernel choice Tessera makes (kn_blas_setup).
export OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-SkylakeX}
cc -O2 -o build/dgemm_openblas bench/dgemm_openblas.c \
   -I/usr/include/x86_64-linux-gnu/openblas-serial -lopenblas -lm
ts=(); os=()
for r in $(seq 1 "$reps"); do
  os+=($(build/dgemm_openblas "$n" | sed -E 's/.*gflops=([0-9.]+).*/\1/'))
  ts+=($("$TESSERA" -f bench/dgemm.dml -nvargs n="$n" | sed -nE 's/.*gflops=([0-9.E]+).*/\1/p'))
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
mt=$(median "${ts[@]}"); mo=$(median "${os[@]}")
echo "dgemm n=$n reps=$reps  tessera GFLOP/s: ${ts[*]}  openblas GFLOP/s: ${os[*]}"
awk -v t="$mt" -v o="$mo" 'BEGIN{printf "median tessera %.2f GFLOP/s, openblas %.2f GFLOP/s, ratio %.3f\n", t, o, t/o}'
