#!/usr/bin/env bash
# Reconcile throughput of the Kubernetes runtime on the mock API server (see docs/benchmarks.md).
# Usage: bench/reconcile/run.sh [owners=100] [functionsPerOwner=10] [workers=8]
set -euo pipefail
cd "$(dirname "$0")/../.."
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
pkg=dev/driftless/runtime/kubernetes
needed=("classes/$pkg/KubernetesRuntime.class" "classes/$pkg/RolloutWatcher.class" "classes/$pkg/ClusterCache.class"
        "test-classes/$pkg/ReconcileBench.class" "test-classes/$pkg/MockApiServer.class"
        "test-classes/$pkg/FakeDeploymentController.class")
for attempt in 1 2 3 4 5; do
  mvn -B -o -q -pl runtime-kubernetes -am test-compile dependency:build-classpath -Dmdep.outputFile="$work/classpath"
  # a private copy of the compiled classes: a build running in the same tree may clean target/ meanwhile
  rm -rf "$work/classes" "$work/test-classes"
  cp -r runtime-kubernetes/target/classes "$work/classes"
  cp -r runtime-kubernetes/target/test-classes "$work/test-classes"
  complete=yes
  for f in "${needed[@]}"; do [[ -f "$work/$f" ]] || complete=no; done
  [[ $complete == yes ]] && break
  echo "target/ changed under us (another build?), compiling again" >&2
  sleep 15
done
[[ $complete == yes ]] || { echo "could not get a complete build of runtime-kubernetes" >&2; exit 1; }
java ${BENCH_JAVA_OPTS:-} -cp "$work/classes:$work/test-classes:$(cat "$work/classpath")" \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  dev.driftless.runtime.kubernetes.ReconcileBench "$@"
