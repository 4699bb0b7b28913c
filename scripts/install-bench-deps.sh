#!/usr/bin/env bash
# Installs the Debian packages the benchmarks under bench/ need, when they are missing.
set -euo pipefail
need=()
for pkg in wrk hyperfine curl nginx; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "need root to install ${need[*]} (run: sudo apt-get install -y ${need[*]})" >&2
    exit 3
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
