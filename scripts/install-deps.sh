#!/usr/bin/env bash
# Installs the Debian packages Tessera needs, and only those that are missing.
# Idempotent: a second run installs nothing. Needs root (or sudo) only when
# something is missing.
set -euo pipefail

# python3-sklearn: the LeNet example exports its digits data set (tests/run_example_lenet.py)
PKGS=(gcc make cmake pkg-config python3
      libopenblas-pthread-dev liblapacke-dev libcjson-dev libgsl-dev
      r-base-core r-cran-matrix python3-sklearn)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
