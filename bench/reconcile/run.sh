#!/usr/bin/env bash
# Reconcile throughput of the Kubernetes runtime on the mock API server (see docs/benchmarks.md).
# Usage: bench/reconcile/run.sh [owners=100] [functionsPerOwner=10] [workers=8]
set -euo pipefail
cd "$(dirname "$0")/../.."
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mvn -B -o -q -pl reconciler test-compile dependency:build-classpath -Dmdep.outputFile="$work/classpath"
# a private copy of the compiled classes: a build running in the same tree may clean target/ meanwhile
cp -r reconciler/target/classes "$work/classes"
cp -r reconciler/target/test-classes "$work/test-classes"
java ${BENCH_JAVA_OPTS:-} -cp "$work/classes:$work/test-classes:$(cat "$work/classpath")" \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  dev.driftless.reconciler.runtime.kubernetes.ReconcileBench "$@"
