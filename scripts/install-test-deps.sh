#!/usr/bin/env bash
# Installs the Debian packages the tests and benchmarks need, when they are missing.
set -euo pipefail
need=()
# golang-go, ruby (+ ruby-webrick) and mono-mcs: the toolchains of the go, golang-middleware, ruby and csharp templates;
# python3-pip and file too: image/src/main/base/make-base.sh copies every toolchain into the daemon image (file finds ELF files).
for pkg in docker-registry apache2-utils bubblewrap passt iproute2 chromium chromium-driver postgresql-15 git curl golang-go ruby ruby-webrick mono-mcs python3-pip file; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
command -v npm >/dev/null 2>&1 || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "need root to install ${need[*]} (run: sudo apt-get install -y ${need[*]})" >&2
    exit 3
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
