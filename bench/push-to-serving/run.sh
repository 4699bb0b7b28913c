#!/usr/bin/env bash
# Push-to-serving latency of a handler-only change of the java17 and the python3 sample, through the whole daemon:
# system git push -> builder (compile + tests + Jib) -> local registry -> bubblewrap runtime -> HTTPS gateway,
# on two daemons side by side: network isolation on (a namespace per instance, pasta: the default) and off
# (DRIFTLESS_FUNCTION_NETWORK=host), in alternating rounds. Writes the "Push to serving" section of
# docs/benchmarks.md (replacing an earlier run of it, leaving other sections alone).
# Usage: bench/push-to-serving/run.sh [runs=5]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
runs=${1:-5}
work=$(mktemp -d /tmp/driftless-push-bench.XXXXXX)
. scripts/lib/components.sh
trap 'stop_registry; rm -rf "$work"' EXIT
start_registry "$work/registry"
# Reactor build (nothing installed into ~/.m2); the classpath file is written by each module, reconciler last.
mvn -B -q -o -pl reconciler -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$work/classpath" >/dev/null
cp="reconciler/target/classes:reconciler/target/test-classes:test-support/target/classes:$(cat "$work/classpath")"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
command=(java -Xmx2g -cp "<reactor classpath>" -Dorg.slf4j.simpleLogger.defaultLogLevel=${BENCH_LOG_LEVEL:-warn}
  dev.driftless.reconciler.e2e.PushToServingBench "$runs" "$REGISTRY_ADDR")
java -Xmx2g -cp "$cp" -Dorg.slf4j.simpleLogger.defaultLogLevel="${BENCH_LOG_LEVEL:-warn}" \
  dev.driftless.reconciler.e2e.PushToServingBench "$runs" "$REGISTRY_ADDR" | tee "$work/stdout.txt"
# Only the tables (the daemons also print their throwaway admin tokens on stdout).
grep -E '^(\||$)' "$work/stdout.txt" | cat -s | sed '/./,$!d' >"$work/tables.md"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

section="$work/section.md"
{
  echo "## Push to serving"
  echo
  echo "Run on $(date -u +%Y-%m-%dT%H:%MZ) by \`bench/push-to-serving/run.sh $runs\` (commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo ', with uncommitted changes'))."
  echo "Two daemons in the bench JVM (\`PushToServingBench\`, -Xmx2g), each with its built-in git endpoint, builder, the"
  echo "local runtime under bubblewrap and the HTTPS gateway, sharing one real \`docker-registry\` on loopback: **isolated**"
  echo "(the default: a network namespace per instance through pasta, egress allowed) and **host**"
  echo "(\`DRIFTLESS_FUNCTION_NETWORK=host\`, the instances share the host's network). The clock starts when the system"
  echo "\`git push\` returns and stops when an HTTPS call through the gateway (polled every 20 ms) answers with the new"
  echo "version's text. The functions are the java17 sample (OpenFaaS \`Handler\`, 2 JUnit tests) and the python3 sample"
  echo "(2 unittest tests); a change edits the greeting in the handler and its test. Rounds alternate which daemon goes first."
  echo
  cat "$work/tables.md"
  echo
  echo "Command: \`${command[*]}\` (the script builds the reactor classpath without installing anything)."
  echo
  echo "Machine: \`nproc\` = $(nproc); memory: $(free -h | awk '/^Mem:/ { print $2 " total, " $7 " available" }');"
  echo "load average (1/5/15 min) $load_before before, $load_after after the run;"
  if awk -v l="${load_before%% *}" -v n="$(nproc)" 'BEGIN { exit !(l > n) }'; then
    echo "**the machine was shared** (load above the number of cores): absolute times are inflated, the ratio is what to read;"
  fi
  echo "$(java -version 2>&1 | head -1); $(pasta --version 2>/dev/null | head -1 || echo 'no pasta'); $(uname -sr)."
  echo
} >"$section"
target=docs/benchmarks.md
[ -f "$target" ] || printf '# Benchmarks\n\n' >"$target"
awk -v section="$section" '
  /^## Push to serving/ { while ((getline line < section) > 0) print line; skipping = 1; replaced = 1; next }
  /^## / && skipping { skipping = 0 }
  !skipping { print }
  END { if (!replaced) { while ((getline line < section) > 0) print line } }
' "$target" >"$work/benchmarks.md"
cat "$work/benchmarks.md" >"$target"
echo "wrote the Push to serving section of $target"
