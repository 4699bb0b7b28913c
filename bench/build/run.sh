#!/usr/bin/env bash
# Build benchmark: cold / warm / handler-only-change build of the java17 sample function, pushed to a
# local docker-registry (started here on a free loopback port unless DRIFTLESS_REGISTRY is set).
# Usage: bench/build/run.sh [runs]   (default 3). Prints a Markdown table for docs/benchmarks.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
runs=${1:-3}
work=$(mktemp -d /tmp/driftless-build-bench.XXXXXX)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

registry=${DRIFTLESS_REGISTRY:-}
if [ -z "$registry" ]; then
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  cat > "$work/registry.yml" <<YML
version: 0.1
log: { level: warn }
storage: { filesystem: { rootdirectory: $work/registry } }
http: { addr: 127.0.0.1:$port }
YML
  docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 50); do curl -fsS "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && break; sleep 0.2; done
  registry="127.0.0.1:$port"
fi

mvn -B -q -o -pl function-templates,builder -am install -DskipTests >/dev/null
mvn -B -q -o -pl builder test-compile >/dev/null
mvn -B -q -o -pl builder dependency:build-classpath -Dmdep.outputFile="$work/cp.txt" -Dmdep.includeScope=test >/dev/null
cp="builder/target/test-classes:builder/target/classes:$(cat "$work/cp.txt")"

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(java -version 2>&1 | head -1), registry $registry" >&2
java -cp "$cp" dev.driftless.builder.BuildBench "$registry" "$runs"
