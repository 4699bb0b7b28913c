#!/usr/bin/env bash
# Runs every test of Driftless against real components, which it installs and starts itself:
# docker-registry (OCI registry), a throwaway PostgreSQL 15, Chromium + chromedriver, bubblewrap, and
# GitHub's webhook examples (npm pack @octokit/webhooks-examples). Cleans up after itself.
# Usage: scripts/test.sh [extra maven arguments, e.g. -pl builder -am]
# Runs with CI=true unless CI is set (CI=false scripts/test.sh …): a test whose real component is missing then
# fails instead of skipping, so a green run here means what a green CI run means.
set -euo pipefail
export CI="${CI:-true}"

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
work=$(mktemp -d /tmp/driftless-test.XXXXXX)
chmod 755 "$work"
. "$root/scripts/lib/components.sh"

cleanup() {
  set +e
  stop_postgres
  stop_registry
  [ -n "${AUTH_REGISTRY_PID:-}" ] && kill "$AUTH_REGISTRY_PID" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

"$root/scripts/install-test-deps.sh"

# GitHub's own webhook examples, fetched by npm, never committed.
examples_dir="$root/target/test-deps/webhooks-examples"
if [ ! -f "$examples_dir/package/api.github.com/index.json" ]; then
  mkdir -p "$examples_dir"
  (cd "$examples_dir" && npm pack --silent @octokit/webhooks-examples@7.6.1 >/dev/null && tar xzf octokit-webhooks-examples-7.6.1.tgz)
fi
export DRIFTLESS_TEST_WEBHOOK_EXAMPLES="$examples_dir/package/api.github.com/index.json"

# A throwaway PostgreSQL 15 from the installed server binaries.
PG_EXTRA_OPTIONS="-c fsync=off" start_postgres "$work/pg"
export DRIFTLESS_TEST_PG_URL="$PG_URL"

# A second one that asks for a user and password (htpasswd), as a private registry does.
auth_password="pw-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
start_registry "$work/auth-registry" driftless-test "$auth_password"
AUTH_REGISTRY_PID=$REGISTRY_PID
export DRIFTLESS_TEST_AUTH_REGISTRY="driftless-test:$auth_password@$REGISTRY_ADDR"

# A real OCI registry (distribution) on loopback, plain HTTP.
start_registry "$work/registry"
export DRIFTLESS_TEST_REGISTRY="$REGISTRY_ADDR"

export DRIFTLESS_TEST_CHROMIUM=/usr/bin/chromium
export DRIFTLESS_TEST_CHROMEDRIVER=/usr/bin/chromedriver
export DRIFTLESS_TEST_BWRAP=/usr/bin/bwrap
export DRIFTLESS_TEST_PASTA=/usr/bin/pasta

echo "test components: postgres=$DRIFTLESS_TEST_PG_URL registry=$DRIFTLESS_TEST_REGISTRY auth-registry=${DRIFTLESS_TEST_AUTH_REGISTRY#*@}"
mvn -B -ntp verify "$@"

# With no arguments (the whole build, as CI runs it): the daemon's own image starts, and the main job
# works from the launcher exactly as the README says, on a fresh data folder and free ports.
if [ $# -eq 0 ]; then
  "$root/scripts/check-image.sh"
  DRIFTLESS_DATA="$work/demo" DRIFTLESS_HTTP_PORT=$(free_port) DRIFTLESS_HTTPS_PORT=$(free_port) \
    timeout 900 "$root/driftless" demo --once
  # Again as on a fresh machine without bubblewrap (and without pasta): in a private mount namespace where
  # both are an empty, non-executable file, so the daemon falls back to plain processes and must still work.
  DRIFTLESS_DATA="$work/demo-plain" DRIFTLESS_HTTP_PORT=$(free_port) DRIFTLESS_HTTPS_PORT=$(free_port) \
    timeout 900 unshare --mount --propagation private -- bash -c '
      set -e
      for tool in /usr/bin/bwrap /usr/bin/pasta; do
        if [ -e "$tool" ]; then mount --bind /dev/null "$tool"; fi
      done
      if [ -x /usr/bin/bwrap ] || [ -x /usr/bin/pasta ]; then echo "bubblewrap/pasta still visible" >&2; exit 1; fi
      exec "$0" demo --once' "$root/driftless"
fi
