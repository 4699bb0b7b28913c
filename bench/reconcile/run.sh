#!/usr/bin/env bash
# Reconcile throughput of the Kubernetes runtime on the mock API server (see docs/benchmarks.md).
# Usage: bench/reconcile/run.sh [owners=100] [functionsPerOwner=10] [workers=8]
set -euo pipefail
cd "$(dirname "$0")/../.."
cp_file="$PWD/reconciler/target/reconcile-bench.classpath"
mvn -B -o -q -pl reconciler test-compile dependency:build-classpath -Dmdep.outputFile="$cp_file"
exec java ${BENCH_JAVA_OPTS:-} -cp "reconciler/target/classes:reconciler/target/test-classes:$(cat "$cp_file")" \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  dev.driftless.reconciler.runtime.kubernetes.ReconcileBench "$@"
