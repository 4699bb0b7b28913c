#!/usr/bin/env bash
# Push-to-serving latency of the java17 sample function (first push, handler-only change, one of ten
# functions changed), through the whole daemon: system git push -> builder (compile + JUnit + Jib) ->
# local registry -> bubblewrap runtime -> HTTPS gateway. Prints a Markdown table for docs/benchmarks.md.
# Usage: bench/push-to-serving/run.sh [runs=3]
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-3}
work=$(mktemp -d /tmp/driftless-push-bench.XXXXXX)
regpid=""
cleanup() { [ -n "$regpid" ] && kill "$regpid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$work/registry.yml" <<YML
version: 0.1
log: { level: warn }
storage: { filesystem: { rootdirectory: $work/registry } }
http: { addr: 127.0.0.1:$port }
YML
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
regpid=$!
for _ in $(seq 1 50); do curl -fsS "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && break; sleep 0.2; done
mvn -B -q -o install -DskipTests -pl reconciler -am >/dev/null
mvn -B -q -o -pl reconciler test-compile dependency:build-classpath -Dmdep.outputFile="$work/classpath" >/dev/null
cp -r reconciler/target/classes "$work/classes"
cp -r reconciler/target/test-classes "$work/test-classes"
echo "machine: nproc=$(nproc), $(free -h | awk '/Mem:/{print $2" memory"}'), load $(cut -d' ' -f1-3 /proc/loadavg), $(java -version 2>&1 | head -1)"
java -Xmx2g -cp "$work/classes:$work/test-classes:$(cat "$work/classpath")" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  dev.driftless.reconciler.e2e.PushToServingBench "$runs" "127.0.0.1:$port"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
