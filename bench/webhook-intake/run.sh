#!/usr/bin/env bash
# Webhook intake benchmark: the daemon (driftless.jar) verifies, parses and stores signed GitHub push
# deliveries (delivery row + repository upsert + coalesced reconcile job, one transaction each) while wrk
# sends them over loopback, first on the default H2 file store, then on a throwaway PostgreSQL 15.
# Usage: bench/webhook-intake/run.sh [duration, default 15s] [connections, default 16] [rounds, default 2]
# Prints a markdown section for docs/benchmarks.md ("Webhook intake") on stdout; logs go to stderr.
set -euo pipefail
duration=${1:-15s}
connections=${2:-16}
rounds=${3:-2}
root=$(cd "$(dirname "$0")/../.." && pwd)
here="$root/bench/webhook-intake"
jar="$root/reconciler/target/driftless.jar"
work=$(mktemp -d /tmp/driftless-bench.XXXXXX)
chmod 755 "$work"
daemon="" port=""
. "$root/scripts/lib/components.sh"
secret="bench-secret-$(date +%s)"

cleanup() {
  set +e
  [ -n "$daemon" ] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null
  stop_postgres
  rm -rf "$work"
}
trap cleanup EXIT

command -v wrk >/dev/null || { echo "wrk is needed (apt-get install -y wrk)" >&2; exit 3; }
[ -f "$jar" ] || "$root/driftless" --help >/dev/null   # the launcher builds the jar when missing


# push_body OWNER REPO ID: a push to OWNER/REPO main, as GitHub sends it (about 1 KiB).
push_body() {
  cat <<JSON
{"ref":"refs/heads/main","before":"0000000000000000000000000000000000000000","after":"1111111111111111111111111111111111111111","created":false,"deleted":false,"forced":false,"compare":"https://github.com/$1/$2/compare/000000000000...111111111111","commits":[{"id":"1111111111111111111111111111111111111111","message":"Update handler","author":{"name":"Alice","email":"alice@example.com"}}],"head_commit":{"id":"1111111111111111111111111111111111111111","message":"Update handler"},"repository":{"id":$3,"name":"$2","full_name":"$1/$2","private":false,"owner":{"login":"$1","name":"$1"},"html_url":"https://github.com/$1/$2","clone_url":"https://github.com/$1/$2.git","default_branch":"main"},"pusher":{"name":"$1","email":"$1@example.com"},"sender":{"login":"$1"},"installation":{"id":7}}
JSON
}
sign() { echo "sha256=$(openssl dgst -sha256 -hmac "$secret" -hex < "$1" | awk '{print $NF}')"; }
# one-branch: every push names alice/fns main. many-repos: pushes cycle over $repositories repositories of 16 owners.
repositories=${REPOSITORIES:-256}
push_body alice fns 42 > "$work/push.json"
echo "$work/push.json $(sign "$work/push.json")" > "$work/one-branch.bodies"
: > "$work/many-repos.bodies"
for i in $(seq 1 "$repositories"); do
  push_body "owner$((i % 16))" "fns$i" "$((1000 + i))" > "$work/push-$i.json"
  echo "$work/push-$i.json $(sign "$work/push-$i.json")" >> "$work/many-repos.bodies"
done

start_daemon() { # $1 = label, $2 = db url or empty, $3 = group commit true|false; sets $port and $daemon
  port=$(free_port)
  mkdir -p "$work/$1"
  env -u DRIFTLESS_DB_URL DRIFTLESS_DATA="$work/$1/data" DRIFTLESS_HTTP_PORT="$port" DRIFTLESS_WORKERS=0 \
      DRIFTLESS_WEBHOOK_GROUP_COMMIT="$3" \
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

bench() { # $1 = store-variant-round (daemon label), $2 = port, $3 = one-branch | many-repos
  local port=$2 label="$1-$3"
  mkdir -p "$work/$label"
  BODIES="$work/$3.bodies" RUN_ID="warm-$label" \
    wrk -t2 -c"$connections" -d5s -s "$here/push.lua" "http://127.0.0.1:$port/webhooks/github" >"$work/$label/warmup.txt" \
    || { cat "$work/$label/warmup.txt" "$work/$1/daemon.log" >&2; exit 1; }
  kill -0 "$daemon" 2>/dev/null || { echo "daemon died during warm-up" >&2; tail -50 "$work/$1/daemon.log" >&2; exit 1; }
  local before; before=$(stored "$port")
  BODIES="$work/$3.bodies" RUN_ID="run-$label" \
    wrk -t2 -c"$connections" -d"$duration" --latency -s "$here/push.lua" "http://127.0.0.1:$port/webhooks/github" \
    > "$work/$label/wrk.txt"
  local after; after=$(stored "$port")
  local line; line=$(grep '^RESULT' "$work/$label/wrk.txt")
  echo "$label $line stored=$((after - before))" >&2
  echo "$label $line stored=$((after - before))" >> "$work/results"
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# Rounds alternate group commit on and off (one transaction per delivery, the behaviour before it), so that a
# load change on the shared machine hits both alike; the ratio of their medians is the figure to read.
start_postgres "$work/pg"
for round in $(seq 1 "$rounds"); do
  for store in h2 postgres; do
    url=""; [ "$store" = postgres ] && url="$PG_URL"
    for variant in group single; do
      label="$store-$variant-$round"
      start_daemon "$label" "$url" "$([ "$variant" = group ] && echo true || echo false)"
      bench "$label" "$port" one-branch
      bench "$label" "$port" many-repos
      stop_daemon
    done
  done
done

load_after=$(cut -d' ' -f1-3 /proc/loadavg)
field() { sed -n "s/.*$2=\([^ ]*\).*/\1/p" <<<"$(grep "^$1 " "$work/results")"; }
median() { # of an even count: the mean of the two middle values
  tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
med() { # $1 = store, $2 = variant, $3 = mode, $4 = field: median over the rounds
  for r in $(seq 1 "$rounds"); do field "$1-$2-$r-$3" "$4"; done | median
}
rows=""
for store in h2 postgres; do for mode in one-branch many-repos; do for variant in group single; do for r in $(seq 1 "$rounds"); do
  l="$store-$variant-$r-$mode"
  rows+="| $store | $mode | $variant | $r | $(field "$l" rps) | $(field "$l" p50_ms) | $(field "$l" p99_ms) | $(field "$l" non2xx) | $(field "$l" stored) |"$'\n'
done; done; done; done
summary=""
for store in h2 postgres; do for mode in one-branch many-repos; do
  g=$(med "$store" group "$mode" rps); o=$(med "$store" single "$mode" rps)
  summary+="| $store | $mode | $g | $(med "$store" group "$mode" p99_ms) | $o | $(med "$store" single "$mode" p99_ms) | **$(awk -v g="$g" -v o="$o" 'BEGIN { printf "%.2f", g / o }')** |"$'\n'
done; done
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo "unknown")
cat <<MD
## Webhook intake

Run on $(date -u +%Y-%m-%dT%H:%MZ) by \`bench/webhook-intake/run.sh $duration $connections $rounds\` (commit $commit).
The daemon (\`java -Xmx1g -jar reconciler/target/driftless.jar serve\`, \`DRIFTLESS_WORKERS=0\`: intake only) and
\`wrk\` on the same machine, loopback only. Every request is a signed \`push\` (HMAC-SHA256 of a fixed 1 KiB body,
precomputed) with a unique \`X-GitHub-Delivery\`; the daemon verifies the signature, parses the event and records the
delivery, upserts the repository and enqueues (coalesces) the reconcile job before it answers 202. Deliveries that arrive
while a transaction commits are written together in the next one (group commit: 8 committer lanes, a push goes to its repository's lane; every
202 still follows the commit that holds its delivery). **one-branch**: all pushes name alice/fns main, so every transaction updates the
same queued job and key row (the worst case for lock contention, a burst of pushes to one branch). **many-repos**:
pushes cycle over $repositories repositories of 16 owners (one job per repository). H2 runs with commits written at commit
time (\`WRITE_DELAY=0\`, needed so that a kill -9 loses nothing acknowledged); PostgreSQL is a throwaway 15 with fsync on.

Medians over $rounds rounds (group = group commit, the default; single = \`DRIFTLESS_WEBHOOK_GROUP_COMMIT=false\`, one
transaction per delivery on the 8-thread webhook pool, as before group commit):

| store | pushes | group req/s | group p99 ms | single req/s | single p99 ms | ratio group/single |
| --- | --- | ---: | ---: | ---: | ---: | ---: |
$summary
Every run:

| store | pushes | intake | round | requests/s | p50 ms | p99 ms | non-2xx | deliveries stored |
| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |
$rows
Commands (each after a 5 s warm-up with the same settings):

\`\`\`
BODIES=<one-branch.bodies | many-repos.bodies> wrk -t2 -c$connections -d$duration --latency -s bench/webhook-intake/push.lua http://127.0.0.1:<port>/webhooks/github
\`\`\`

Machine: \`nproc\` = $(nproc); memory: $(free -h | awk '/^Mem:/ {print $2 " total, " $7 " available"}');
load average (1/5/15 min) $load_before before, $load_after after the run (other work shared the machine);
$(java -version 2>&1 | head -1); wrk $(dpkg-query -W -f='${Version}' wrk 2>/dev/null); $(uname -sr).
MD
