#!/usr/bin/env bash
# Push-to-serving latency of the java17 sample function (first push, handler-only change, one of ten
# functions changed), through the whole daemon: system git push -> builder (compile + JUnit + Jib) ->
# local registry -> bubblewrap runtime -> HTTPS gateway. Prints a Markdown table for docs/benchmarks.md.
# Usage: bench/push-to-serving/run.sh [runs=3]
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-3}
work=$(mktemp -d /tmp/driftless-push-bench.XXXXXX)
. scripts/lib/components.sh
trap 'stop_registry; rm -rf "$work"' EXIT
start_registry "$work/registry"
mvn -B -q -o install -DskipTests -pl reconciler -am >/dev/null
mvn -B -q -o -pl reconciler test-compile dependency:build-classpath -Dmdep.outputFile="$work/classpath" >/dev/null
cp -r reconciler/target/classes "$work/classes"
cp -r reconciler/target/test-classes "$work/test-classes"
echo "machine: nproc=$(nproc), $(free -h | awk '/Mem:/{print $2" memory"}'), load $(cut -d' ' -f1-3 /proc/loadavg), $(java -version 2>&1 | head -1)"
java -Xmx2g -cp "$work/classes:$work/test-classes:$(cat "$work/classpath")" -Dorg.slf4j.simpleLogger.defaultLogLevel=${BENCH_LOG_LEVEL:-warn} \
  dev.driftless.reconciler.e2e.PushToServingBench "$runs" "$REGISTRY_ADDR"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
