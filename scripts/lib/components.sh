# Starts the real components tests and benchmarks run against, on free loopback ports.
# Source it: . scripts/lib/components.sh. Each start_* function sets variables and registers nothing
# global: the caller stops what it started (stop_registry, stop_postgres), usually from an EXIT trap.

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_registry DIR [USER PASSWORD]: a docker-registry (distribution) with filesystem storage in DIR; with
# USER and PASSWORD it asks for them (htpasswd, bcrypt: distribution accepts basic auth over plain HTTP on loopback).
# Sets REGISTRY_ADDR (host:port) and REGISTRY_PID.
start_registry() {
  local dir=$1 user=${2:-} password=${3:-} port auth="" probe=()
  port=$(free_port)
  mkdir -p "$dir/storage"
  if [ -n "$user" ]; then
    htpasswd -Bbn "$user" "$password" > "$dir/htpasswd"
    auth="auth: { htpasswd: { realm: driftless-test, path: $dir/htpasswd } }"
    probe=(-u "$user:$password")
  fi
  cat > "$dir/registry.yml" <<YML
version: 0.1
log: { level: warn }
storage: { filesystem: { rootdirectory: $dir/storage }, delete: { enabled: true } }
http: { addr: 127.0.0.1:$port }
$auth
YML
  docker-registry serve "$dir/registry.yml" >"$dir/registry.log" 2>&1 &
  REGISTRY_PID=$!
  REGISTRY_ADDR="127.0.0.1:$port"
  for _ in $(seq 1 50); do
    curl -fsS "${probe[@]}" "http://$REGISTRY_ADDR/v2/" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "docker-registry did not start; its log:" >&2
  cat "$dir/registry.log" >&2
  return 1
}

stop_registry() {
  [ -n "${REGISTRY_PID:-}" ] && kill "$REGISTRY_PID" 2>/dev/null
  REGISTRY_PID=""
}

# start_postgres DIR: a throwaway PostgreSQL 15 cluster in DIR (owned by the postgres user), database
# and superuser "driftless", trust auth on 127.0.0.1. Sets PG_URL (JDBC), PG_PORT and PG_DATA.
start_postgres() {
  PG_DATA=$1
  local bin=/usr/lib/postgresql/15/bin
  mkdir -p "$PG_DATA" && chown postgres:postgres "$PG_DATA"
  PG_PORT=$(free_port)
  runuser -u postgres -- "$bin/initdb" -D "$PG_DATA" -A trust -U driftless >/dev/null
  runuser -u postgres -- "$bin/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/log" \
    -o "-p $PG_PORT -k $PG_DATA -c listen_addresses=127.0.0.1 -c max_connections=200 ${PG_EXTRA_OPTIONS:-}" -w start >/dev/null
  runuser -u postgres -- "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U driftless driftless
  PG_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/driftless?user=driftless"
}

stop_postgres() {
  if [ -n "${PG_DATA:-}" ] && [ -f "$PG_DATA/postmaster.pid" ]; then
    runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$PG_DATA" -m immediate stop >/dev/null 2>&1
  fi
  PG_DATA=""
}
