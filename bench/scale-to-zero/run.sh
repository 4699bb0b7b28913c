#!/usr/bin/env bash
# Scale to zero: wake latency (first request after idle -> its 200, HTTPS through the gateway) per template,
# next to the same function warm, through the whole daemon (local runtime, bubblewrap + pasta where installed).
# Prints machine, load average before and after, and a Markdown table for docs/benchmarks.md.
# Usage: bench/scale-to-zero/run.sh [rounds=5] [templates=python3,node20,java17,go]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
rounds=${1:-5}
templates=${2:-python3,node20,java17,go}
work=$(mktemp -d /tmp/driftless-scale-bench.XXXXXX)
trap '[ -n "${BENCH_KEEP:-}" ] && cp "$work/daemon.log" "$BENCH_KEEP"; rm -rf "$work"' EXIT

# Reactor build only (nothing installed into ~/.m2); the classpath file is written by each module, reconciler last.
mvn -B -q -o -pl reconciler -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$work/cp.txt" >/dev/null
cp="reconciler/target/classes:reconciler/target/test-classes:$(cat "$work/cp.txt")"

echo "machine: nproc=$(nproc), $(free -h | awk '/Mem:/{print $2" memory"}'), load $(cut -d' ' -f1-3 /proc/loadavg), $(java -version 2>&1 | head -1)"
echo "command: bench/scale-to-zero/run.sh $rounds $templates"
# The runtime and the scale-to-zero decorator log each wake (event=woken …) at info; the bench reads them back.
java -Xmx1g -cp "$cp" -Dorg.slf4j.simpleLogger.defaultLogLevel="${BENCH_LOG_LEVEL:-warn}" \
  -Dorg.slf4j.simpleLogger.log.dev.driftless.runtime.local=info \
  -Dorg.slf4j.simpleLogger.log.dev.driftless.reconciler.app.ScaleToZero=info \
  -Dorg.slf4j.simpleLogger.logFile="$work/daemon.log" \
  dev.driftless.reconciler.e2e.ScaleToZeroBench "$rounds" "$work/daemon.log" "$templates" || {
    echo "bench failed; the daemon's log:" >&2; tail -50 "$work/daemon.log" >&2; exit 1; }
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
