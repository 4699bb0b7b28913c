#!/usr/bin/env bash
# Gateway overhead: wrk against a trivial function server directly (plain HTTP, loopback), through the
# gateway (HTTPS, loopback) and, as the peer, through Debian's nginx as a TLS 1.3 reverse proxy with a
# keep-alive upstream to the same function server: same threads/connections/duration, in alternating rounds.
# Writes the numbers, machine info and the exact commands to the "Gateway overhead" section of
# docs/benchmarks.md (replacing an earlier run of this section, leaving other sections alone).
# Usage: bench/gateway/run.sh [duration, default 10s] [threads, default 2] [connections, default 20] [rounds, default 3]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
duration=${1:-10s}
threads=${2:-2}
connections=${3:-20}
rounds=${4:-3}

command -v wrk >/dev/null && command -v nginx >/dev/null || "$root/scripts/install-bench-deps.sh"

work=$(mktemp -d /tmp/driftless-gateway-bench.XXXXXX)
pid="" nginx_pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  if [ -n "$nginx_pid" ]; then kill "$nginx_pid" 2>/dev/null || true; wait "$nginx_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# Reactor build (nothing installed into ~/.m2); the classpath file is written by each module, gateway last.
mvn -B -q -o -pl gateway -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$work/cp.txt" >/dev/null
cp="gateway/target/classes:gateway/target/test-classes:test-support/target/classes:$(cat "$work/cp.txt")"

# BENCH_JAVA_OPTS: extra JVM options, e.g. a JFR recording to profile the gateway.
java -Xmx512m ${BENCH_JAVA_OPTS:-} -cp "$cp" dev.driftless.gateway.GatewayBenchMain "$work/data" "$work/ports" >"$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 600); do
  [ -s "$work/ports" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 0.1
done
read -r backend_port gateway_port <"$work/ports"

# The peer: nginx, same certificate and key as the gateway, TLS 1.3 only, one worker per core, HTTP/1.1
# keep-alive upstream (the usual production setup: keepalive + proxy_http_version 1.1 + empty Connection).
nginx_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$work/nginx/logs"
cat >"$work/nginx/nginx.conf" <<NGINX
daemon off;
user root;
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  upstream function { server 127.0.0.1:$backend_port; keepalive 64; }
  server {
    listen 127.0.0.1:$nginx_port ssl;
    server_name bench.localhost;
    ssl_certificate $work/data/tls/server.pem;
    ssl_certificate_key $work/data/tls/server-key.pem;
    ssl_protocols TLSv1.3;
    ssl_session_cache shared:TLS:1m;
    location /hello {
      proxy_pass http://function/;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$remote_addr;
      proxy_set_header X-Forwarded-Proto https;
    }
  }
}
NGINX
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" >"$work/nginx/stdout.log" 2>&1 &
nginx_pid=$!

direct_url="http://127.0.0.1:$backend_port/"
gateway_url="https://127.0.0.1:$gateway_port/hello"
nginx_url="https://127.0.0.1:$nginx_port/hello"
wrk_args=(-t"$threads" -c"$connections" -d"$duration" --latency)
host_header=(-H "Host: bench.localhost")

# Sanity: both paths answer 200 with the function's body.
curl -fsS "$direct_url" >/dev/null
# (curl/OpenSSL refuse a wildcard directly under a single-label domain such as *.localhost, so the
# check uses the path form; wrk does not verify certificates and uses the subdomain form below.)
curl -fsS --cacert "$work/data/tls/ca.pem" "https://localhost:$gateway_port/f/bench/hello" | grep -q "hello from the function"
for _ in $(seq 1 50); do curl -ksS --tlsv1.3 "$nginx_url" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fksS --tlsv1.3 "$nginx_url" | grep -q "hello from the function" || { cat "$work/nginx/logs/error.log" "$work/nginx/stdout.log"; exit 1; }

# Warm-up (class loading, JIT, first TLS handshakes) of both paths, not reported.
warmup=10s
wrk -t"$threads" -c"$connections" -d"$warmup" "$direct_url" >/dev/null
wrk -t"$threads" -c"$connections" -d"$warmup" "${host_header[@]}" "$gateway_url" >/dev/null
# Each measured run opens its connections anew: warm the TLS handshake code too (one handshake per
# request here), or on a starved machine the first 20 handshakes of a run run interpreted and time out.
wrk -t"$threads" -c"$connections" -d"$warmup" "${host_header[@]}" -H "Connection: close" "$gateway_url" >/dev/null
wrk -t"$threads" -c"$connections" -d"$warmup" "${host_header[@]}" "$nginx_url" >/dev/null

# Rounds alternate direct and gateway, so a load change on a shared machine hits both sides alike.
to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.3f\n", n }'; }
rps() { awk '/^Requests\/sec:/ { print $2 }' "$1"; }
pct() { to_ms "$(awk -v p="$2%" '$1 == p { print $2 }' "$1")"; }
errors() { awk '/Non-2xx|Socket errors/ { printf "%s; ", $0 }' "$1"; }
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
rows=""
for round in $(seq 1 "$rounds"); do
  wrk "${wrk_args[@]}" "$direct_url" >"$work/direct-$round.txt"
  wrk "${wrk_args[@]}" "${host_header[@]}" "$gateway_url" >"$work/gateway-$round.txt"
  wrk "${wrk_args[@]}" "${host_header[@]}" "$nginx_url" >"$work/nginx-$round.txt"
  cat "$work/direct-$round.txt" "$work/gateway-$round.txt" "$work/nginx-$round.txt"
  for side in direct gateway nginx; do
    f="$work/$side-$round.txt"
    rows+="| $round | $side | $(rps "$f") | $(pct "$f" 50) | $(pct "$f" 99) | $(errors "$f") |"$'\n'
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

d_rps=$(for r in $(seq 1 "$rounds"); do rps "$work/direct-$r.txt"; done | median)
g_rps=$(for r in $(seq 1 "$rounds"); do rps "$work/gateway-$r.txt"; done | median)
d50=$(for r in $(seq 1 "$rounds"); do pct "$work/direct-$r.txt" 50; done | median)
g50=$(for r in $(seq 1 "$rounds"); do pct "$work/gateway-$r.txt" 50; done | median)
d99=$(for r in $(seq 1 "$rounds"); do pct "$work/direct-$r.txt" 99; done | median)
g99=$(for r in $(seq 1 "$rounds"); do pct "$work/gateway-$r.txt" 99; done | median)
n_rps=$(for r in $(seq 1 "$rounds"); do rps "$work/nginx-$r.txt"; done | median)
n50=$(for r in $(seq 1 "$rounds"); do pct "$work/nginx-$r.txt" 50; done | median)
n99=$(for r in $(seq 1 "$rounds"); do pct "$work/nginx-$r.txt" 99; done | median)
ratio=$(awk -v g="$g_rps" -v d="$d_rps" 'BEGIN { printf "%.2f", g / d }')
peer_ratio=$(awk -v g="$g_rps" -v n="$n_rps" 'BEGIN { printf "%.2f", g / n }')
add50=$(awk -v g="$g50" -v d="$d50" 'BEGIN { printf "%.3f", g - d }')
add99=$(awk -v g="$g99" -v d="$d99" 'BEGIN { printf "%.3f", g - d }')

section="$work/section.md"
{
  echo "## Gateway overhead"
  echo
  echo "Run on $(date -u +%Y-%m-%dT%H:%MZ) by \`bench/gateway/run.sh $duration $threads $connections $rounds\` (commit $(git rev-parse --short HEAD))."
  echo "A trivial function server (Vert.x, answers 24 bytes) and the gateway in one JVM (\`GatewayBenchMain\`, -Xmx512m),"
  echo "\`wrk\` on the same machine, loopback only. Direct = plain HTTP to the function; gateway = HTTPS (TLS 1.3,"
  echo "keep-alive) to the gateway, which forwards over a pooled keep-alive HTTP connection. Client rate limits"
  echo "are lifted for the run (one client IP on purpose); everything else is the shipped gateway. wrk, the gateway and"
  echo "the function share the same cores, so the ratio is pessimistic for the gateway on a machine of its own."
  echo "The peer is Debian's nginx $(nginx -v 2>&1 | cut -d/ -f2) as a TLS 1.3 reverse proxy (same certificate and key,"
  echo "\`worker_processes auto\`, \`keepalive 64\` upstream over HTTP/1.1) to the same function server; it shares the cores too."
  echo
  echo "| round | target | requests/s | p50 ms | p99 ms | errors |"
  echo "| ---: | --- | ---: | ---: | ---: | --- |"
  printf '%s' "$rows"
  echo
  echo "Medians over $rounds rounds: direct $d_rps req/s, p50 $d50 ms, p99 $d99 ms; gateway $g_rps req/s, p50 $g50 ms, p99 $g99 ms."
  echo "nginx (the peer) $n_rps req/s, p50 $n50 ms, p99 $n99 ms."
  echo "Throughput ratio **gateway/nginx: $peer_ratio**; gateway/direct: **$ratio**. Added latency over direct: p50 **+$add50 ms**, p99 **+$add99 ms**."
  echo "TLS engine of the gateway: $(grep -o 'tls_engine=[a-z]*' "$work/server.log" | head -1 | cut -d= -f2); transport: $(grep -o 'transport=[a-z_]*' "$work/server.log" | head -1 | cut -d= -f2)."
  echo
  echo "Commands (after a $warmup warm-up of each, plus $warmup of new-connection-per-request to the gateway so that the"
  echo "TLS handshake code is compiled too; rounds alternate direct, gateway and nginx):"
  echo
  echo '```'
  echo "wrk ${wrk_args[*]} $direct_url"
  echo "wrk ${wrk_args[*]} -H 'Host: bench.localhost' $gateway_url"
  echo "wrk ${wrk_args[*]} -H 'Host: bench.localhost' $nginx_url"
  echo "nginx -p <work>/nginx -c <work>/nginx/nginx.conf   # worker_processes auto; TLS 1.3; upstream keepalive 64"
  echo '```'
  echo
  echo "Machine: \`nproc\` = $(nproc); memory: $(free -h | awk '/^Mem:/ { print $2 " total, " $7 " available" }');"
  echo "load average (1/5/15 min) $load_before before, $load_after after the run;"
  if awk -v l="${load_before%% *}" -v n="$(nproc)" 'BEGIN { exit !(l > n) }'; then
    echo "**the machine was shared** (load above the number of cores): read the gateway's numbers as a floor, and its p99"
    echo "mostly as scheduling delay;"
  fi
  echo "$(java -version 2>&1 | head -1); $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2); $(uname -sr)."
  echo
} >"$section"

mkdir -p docs
target=docs/benchmarks.md
[ -f "$target" ] || printf '# Benchmarks\n\n' >"$target"
# Replace our own section (from its heading to the next "## " heading), keep everyone else's.
awk -v section="$section" '
  /^## Gateway overhead/ { while ((getline line < section) > 0) print line; skipping = 1; replaced = 1; next }
  /^## / && skipping { skipping = 0 }
  !skipping { print }
  END { if (!replaced) { while ((getline line < section) > 0) print line } }
' "$target" >"$work/benchmarks.md"
cat "$work/benchmarks.md" >"$target"
echo "wrote the Gateway overhead section of $target"
