#!/usr/bin/env bash
# Build benchmark: cold / warm / handler-only-change build of a template's sample function, pushed to a
# local docker-registry (started here on a free loopback port unless DRIFTLESS_REGISTRY is set).
# Usage: bench/build/run.sh [runs] [langs]   (default 3, java17; e.g. 3 java17,python3,go,ruby,csharp).
# Prints a Markdown table per template for docs/benchmarks.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
runs=${1:-3}
langs=${2:-java17}
work=$(mktemp -d /tmp/driftless-build-bench.XXXXXX)
. scripts/lib/components.sh
trap 'stop_registry; rm -rf "$work"' EXIT

registry=${DRIFTLESS_REGISTRY:-}
if [ -z "$registry" ]; then
  start_registry "$work/registry"
  registry=$REGISTRY_ADDR
fi

mvn -B -q -o -pl function-templates,builder -am install -DskipTests >/dev/null
mvn -B -q -o -pl builder test-compile >/dev/null
mvn -B -q -o -pl builder dependency:build-classpath -Dmdep.outputFile="$work/cp.txt" -Dmdep.includeScope=test >/dev/null
cp="builder/target/test-classes:builder/target/classes:$(cat "$work/cp.txt")"

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(java -version 2>&1 | head -1), registry $registry" >&2
java -cp "$cp" dev.driftless.builder.BuildBench "$registry" "$runs" "$langs"
