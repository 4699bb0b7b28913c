#!/usr/bin/env bash
# Runs every test of Driftless against real components, which it installs and starts itself:
# docker-registry (OCI registry), a throwaway PostgreSQL 15, Chromium + chromedriver, bubblewrap, and
# GitHub's webhook examples (npm pack @octokit/webhooks-examples). Cleans up after itself.
# Usage: scripts/test.sh [extra maven arguments, e.g. -pl builder -am]
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
work=$(mktemp -d /tmp/driftless-test.XXXXXX)
chmod 755 "$work"
pids=()
pgdata=""

cleanup() {
  set +e
  if [ -n "$pgdata" ] && [ -f "$pgdata/postmaster.pid" ]; then
    runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$pgdata" -m immediate stop >/dev/null 2>&1
  fi
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

"$root/scripts/install-test-deps.sh"

# GitHub's own webhook examples, fetched by npm, never committed.
examples_dir="$root/target/test-deps/webhooks-examples"
if [ ! -f "$examples_dir/package/api.github.com/index.json" ]; then
  mkdir -p "$examples_dir"
  (cd "$examples_dir" && npm pack --silent @octokit/webhooks-examples@7.6.1 >/dev/null && tar xzf octokit-webhooks-examples-7.6.1.tgz)
fi
export DRIFTLESS_TEST_WEBHOOK_EXAMPLES="$examples_dir/package/api.github.com/index.json"

# A throwaway PostgreSQL 15 from the installed server binaries.
pgdata="$work/pg"
mkdir -p "$pgdata" && chown postgres:postgres "$pgdata"
pgport=$(free_port)
runuser -u postgres -- /usr/lib/postgresql/15/bin/initdb -D "$pgdata" -A trust -U driftless >/dev/null
runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$pgdata" -l "$pgdata/log" \
  -o "-p $pgport -k $pgdata -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off" -w start >/dev/null
runuser -u postgres -- /usr/lib/postgresql/15/bin/createdb -h 127.0.0.1 -p "$pgport" -U driftless driftless
export DRIFTLESS_TEST_PG_URL="jdbc:postgresql://127.0.0.1:$pgport/driftless?user=driftless"

# A real OCI registry (distribution) on loopback, plain HTTP.
regport=$(free_port)
mkdir -p "$work/registry"
cat > "$work/registry.yml" <<YML
version: 0.1
log: { level: warn }
storage: { filesystem: { rootdirectory: $work/registry }, delete: { enabled: true } }
http: { addr: 127.0.0.1:$regport }
YML
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do
  curl -fsS "http://127.0.0.1:$regport/v2/" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fsS "http://127.0.0.1:$regport/v2/" >/dev/null
export DRIFTLESS_TEST_REGISTRY="127.0.0.1:$regport"

export DRIFTLESS_TEST_CHROMIUM=/usr/bin/chromium
export DRIFTLESS_TEST_CHROMEDRIVER=/usr/bin/chromedriver
export DRIFTLESS_TEST_BWRAP=/usr/bin/bwrap

echo "test components: postgres=$DRIFTLESS_TEST_PG_URL registry=$DRIFTLESS_TEST_REGISTRY"
mvn -B -ntp verify "$@"
