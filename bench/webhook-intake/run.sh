#!/usr/bin/env bash
# Webhook intake benchmark: the daemon (driftless.jar) verifies, parses and stores signed GitHub push
# deliveries (delivery row + repository upsert + coalesced reconcile job, one transaction each) while wrk
# sends them over loopback, first on the default H2 file store, then on a throwaway PostgreSQL 15.
# Usage: bench/webhook-intake/run.sh [duration, default 15s] [connections, default 16]
# Prints a markdown section for docs/benchmarks.md ("Webhook intake") on stdout; logs go to stderr.
set -euo pipefail
duration=${1:-15s}
connections=${2:-16}
root=$(cd "$(dirname "$0")/../.." && pwd)
here="$root/bench/webhook-intake"
jar="$root/reconciler/target/driftless.jar"
work=$(mktemp -d /tmp/driftless-bench.XXXXXX)
chmod 755 "$work"
pgdata="" daemon="" port=""
secret="bench-secret-$(date +%s)"

cleanup() {
  set +e
  [ -n "$daemon" ] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null
  if [ -n "$pgdata" ] && [ -f "$pgdata/postmaster.pid" ]; then
    runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$pgdata" -m immediate stop >/dev/null 2>&1
  fi
  rm -rf "$work"
}
trap cleanup EXIT

command -v wrk >/dev/null || { echo "wrk is needed (apt-get install -y wrk)" >&2; exit 3; }
[ -f "$jar" ] || "$root/driftless" --help >/dev/null   # the launcher builds the jar when missing

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# The fixed body: a push to alice/fns main, as GitHub sends it.
cat > "$work/push.json" <<JSON
{"ref":"refs/heads/main","before":"0000000000000000000000000000000000000000","after":"1111111111111111111111111111111111111111","created":false,"deleted":false,"forced":false,"compare":"https://github.com/alice/fns/compare/000000000000...111111111111","commits":[{"id":"1111111111111111111111111111111111111111","message":"Update handler","author":{"name":"Alice","email":"alice@example.com"}}],"head_commit":{"id":"1111111111111111111111111111111111111111","message":"Update handler"},"repository":{"id":42,"name":"fns","full_name":"alice/fns","private":false,"owner":{"login":"alice","name":"alice"},"html_url":"https://github.com/alice/fns","clone_url":"https://github.com/alice/fns.git","default_branch":"main"},"pusher":{"name":"alice","email":"alice@example.com"},"sender":{"login":"alice"},"installation":{"id":7}}
JSON
signature="sha256=$(openssl dgst -sha256 -hmac "$secret" -hex < "$work/push.json" | awk '{print $NF}')"

start_daemon() { # $1 = label, $2 = db url or empty; sets $port and $daemon
  port=$(free_port)
  mkdir -p "$work/$1"
  env -u DRIFTLESS_DB_URL DRIFTLESS_DATA="$work/$1/data" DRIFTLESS_HTTP_PORT="$port" DRIFTLESS_WORKERS=0 \
      DRIFTLESS_GITHUB_WEBHOOK_SECRET="$secret" ${2:+DRIFTLESS_DB_URL="$2"} \
      java -Xmx1g -jar "$jar" serve >"$work/$1/daemon.log" 2>&1 &
  daemon=$!
  for _ in $(seq 1 300); do
    curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && return
    kill -0 "$daemon" 2>/dev/null || { cat "$work/$1/daemon.log" >&2; exit 1; }
    sleep 0.2
  done
  echo "daemon did not become ready" >&2; exit 1
}

stop_daemon() { kill "$daemon"; wait "$daemon" 2>/dev/null || true; daemon=""; }

stored() { # deliveries the daemon recorded, from /metrics
  curl -fsS "http://127.0.0.1:$1/metrics" | awk '/^driftless_webhook_deliveries_total\{/ && !/duplicate/ {s+=$NF} END {printf "%d", s}'
}

bench() { # $1 = label, $2 = port
  local port=$2
  BODY_FILE="$work/push.json" SIGNATURE="$signature" RUN_ID="warm-$1" \
    wrk -t2 -c"$connections" -d5s -s "$here/push.lua" "http://127.0.0.1:$port/webhooks/github" >"$work/$1/warmup.txt" \
    || { cat "$work/$1/warmup.txt" "$work/$1/daemon.log" >&2; exit 1; }
  kill -0 "$daemon" 2>/dev/null || { echo "daemon died during warm-up" >&2; tail -50 "$work/$1/daemon.log" >&2; exit 1; }
  local before; before=$(stored "$port")
  BODY_FILE="$work/push.json" SIGNATURE="$signature" RUN_ID="run-$1" \
    wrk -t2 -c"$connections" -d"$duration" --latency -s "$here/push.lua" "http://127.0.0.1:$port/webhooks/github" \
    > "$work/$1/wrk.txt"
  local after; after=$(stored "$port")
  local line; line=$(grep '^RESULT' "$work/$1/wrk.txt")
  echo "$1 $line stored=$((after - before))" >&2
  echo "$1 $line stored=$((after - before))" >> "$work/results"
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)

start_daemon h2 ""
bench h2 "$port"
stop_daemon

pgdata="$work/pg"
mkdir -p "$pgdata" && chown postgres:postgres "$pgdata"
pgport=$(free_port)
runuser -u postgres -- /usr/lib/postgresql/15/bin/initdb -D "$pgdata" -A trust -U driftless >/dev/null
runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$pgdata" -l "$pgdata/log" \
  -o "-p $pgport -k $pgdata -c listen_addresses=127.0.0.1" -w start >/dev/null
runuser -u postgres -- /usr/lib/postgresql/15/bin/createdb -h 127.0.0.1 -p "$pgport" -U driftless driftless
start_daemon postgres "jdbc:postgresql://127.0.0.1:$pgport/driftless?user=driftless"
bench postgres "$port"
stop_daemon

load_after=$(cut -d' ' -f1-3 /proc/loadavg)
field() { sed -n "s/.*$2=\([^ ]*\).*/\1/p" <<<"$(grep "^$1 " "$work/results")"; }
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo "unknown")
cat <<MD
## Webhook intake

Run on $(date -u +%Y-%m-%dT%H:%MZ) by \`bench/webhook-intake/run.sh $duration $connections\` (commit $commit).
The daemon (\`java -Xmx1g -jar reconciler/target/driftless.jar serve\`, \`DRIFTLESS_WORKERS=0\`: intake only) and
\`wrk\` on the same machine, loopback only. Every request is a signed \`push\` (HMAC-SHA256 of a fixed 1 KiB body,
precomputed) with a unique \`X-GitHub-Delivery\`; the daemon verifies the signature, parses the event and, in one
transaction, inserts the delivery, upserts the repository and enqueues (coalesces) the reconcile job before it answers 202.
All pushes name the same repository and branch, so every transaction updates the same queued job and key row: this is
the worst case for lock contention (a burst of pushes to one branch). H2 runs with commits written at commit time
(\`WRITE_DELAY=0\`, needed so that a kill -9 loses nothing acknowledged); PostgreSQL is a default throwaway 15 with fsync on.

| store | requests/s | p50 ms | p99 ms | non-2xx | deliveries stored |
| --- | ---: | ---: | ---: | ---: | ---: |
| H2 file | $(field h2 rps) | $(field h2 p50_ms) | $(field h2 p99_ms) | $(field h2 non2xx) | $(field h2 stored) |
| PostgreSQL 15 | $(field postgres rps) | $(field postgres p50_ms) | $(field postgres p99_ms) | $(field postgres non2xx) | $(field postgres stored) |

Commands (each after a 5 s warm-up with the same settings):

\`\`\`
BODY_FILE=push.json SIGNATURE=sha256=<hmac> wrk -t2 -c$connections -d$duration --latency -s bench/webhook-intake/push.lua http://127.0.0.1:<port>/webhooks/github
\`\`\`

Machine: \`nproc\` = $(nproc); memory: $(free -h | awk '/^Mem:/ {print $2 " total, " $7 " available"}');
load average (1/5/15 min) $load_before before, $load_after after the run (other work shared the machine);
$(java -version 2>&1 | head -1); wrk $(dpkg-query -W -f='${Version}' wrk 2>/dev/null); $(uname -sr).
MD
