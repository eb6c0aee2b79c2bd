#!/usr/bin/env bash
# Installs the Debian packages of the benchmark peers (bench/README.md), and
# only those that are missing. Idempotent: a second run installs nothing.
# Needs root (or sudo) only when something is missing.
#
# The threaded OpenBLAS (libopenblas-pthread-dev) comes with scripts/install-deps.sh:
# it is the system BLAS alternative, so the peers (NumPy, SciPy, R) run their BLAS
# on all cores, while Tessera limits it to one thread per call (kn_blas_setup).
set -euo pipefail

# python3-torch: the PyTorch side of the lenet workload; r-cran-nnet: nnet::multinom, the R side
# of alg_multiLogReg (issue 7).
PKGS=(python3-numpy python3-scipy python3-sklearn python3-torch r-base-core r-cran-matrix
      r-cran-nnet time)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-bench-deps: installing ${missing[*]}"
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
