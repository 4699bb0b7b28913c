#!/usr/bin/env bash
# The query every replica runs every 2 s to route what the others deployed (ReleaseHistory.allCurrent), on a
# real PostgreSQL 15 with 1 000 functions of 100 owners and 50 releases each (every 7th failed): the shape
# it had (scan of the whole release history) against the one it has (from the managed functions, by key).
# Usage: bench/serving-releases/run.sh [functions=1000] [releases=50]
set -euo pipefail
cd "$(dirname "$0")/../.."
functions=${1:-1000}
releases=${2:-50}
work=$(mktemp -d /tmp/driftless-serving-bench.XXXXXX)
chmod 755 "$work"
. scripts/lib/components.sh
trap 'stop_postgres; rm -rf "$work"' EXIT
start_postgres "$work/pg"
echo "machine: nproc=$(nproc), $(free -h | awk '/Mem:/{print $2" memory"}'), load $(cut -d' ' -f1-3 /proc/loadavg), $(/usr/lib/postgresql/15/bin/postgres --version)"
/usr/lib/postgresql/15/bin/psql -q -h 127.0.0.1 -p "$PG_PORT" -U driftless driftless <<SQL
CREATE TABLE releases (
    owner VARCHAR(100) NOT NULL, function_name VARCHAR(63) NOT NULL, number INTEGER NOT NULL,
    repository VARCHAR(200) NOT NULL, commit_sha CHAR(40) NOT NULL, image VARCHAR(500) NOT NULL,
    spec_json TEXT NOT NULL, source VARCHAR(20) NOT NULL, rollback_of INTEGER, build_id BIGINT,
    result VARCHAR(20) NOT NULL, reason VARCHAR(1000), created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (owner, function_name, number));
CREATE TABLE function_conditions (owner VARCHAR(100) NOT NULL, function_name VARCHAR(63) NOT NULL,
    repository VARCHAR(200) NOT NULL, PRIMARY KEY (owner, function_name));
INSERT INTO releases SELECT 'o' || (f % 100), 'f' || f, n, 'repo', repeat('a', 40), 'img', repeat('{"x":1}', 60),
    'push', NULL, NULL, CASE WHEN n % 7 = 0 THEN 'failed' ELSE 'deployed' END, NULL, now()
  FROM generate_series(1, $functions) f, generate_series(1, $releases) n;
INSERT INTO function_conditions SELECT 'o' || (f % 100), 'f' || f, 'repo' FROM generate_series(1, $functions) f;
ANALYZE;
\timing on
\echo history scan (before), 3 runs:
SELECT count(*) FROM (SELECT * FROM releases r WHERE result = 'deployed' AND number = (SELECT MAX(number) FROM releases x
  WHERE x.owner = r.owner AND x.function_name = r.function_name AND x.result = 'deployed') AND EXISTS (SELECT 1
  FROM function_conditions c WHERE c.owner = r.owner AND c.function_name = r.function_name AND c.repository = r.repository)) q;
SELECT count(*) FROM (SELECT * FROM releases r WHERE result = 'deployed' AND number = (SELECT MAX(number) FROM releases x
  WHERE x.owner = r.owner AND x.function_name = r.function_name AND x.result = 'deployed') AND EXISTS (SELECT 1
  FROM function_conditions c WHERE c.owner = r.owner AND c.function_name = r.function_name AND c.repository = r.repository)) q;
SELECT count(*) FROM (SELECT * FROM releases r WHERE result = 'deployed' AND number = (SELECT MAX(number) FROM releases x
  WHERE x.owner = r.owner AND x.function_name = r.function_name AND x.result = 'deployed') AND EXISTS (SELECT 1
  FROM function_conditions c WHERE c.owner = r.owner AND c.function_name = r.function_name AND c.repository = r.repository)) q;
\echo from the managed functions by key (now), 3 runs:
SELECT count(*) FROM (SELECT r.* FROM function_conditions c JOIN releases r ON r.owner = c.owner AND r.function_name = c.function_name
  AND r.repository = c.repository WHERE r.result = 'deployed' AND r.number = (SELECT MAX(x.number) FROM releases x
  WHERE x.owner = c.owner AND x.function_name = c.function_name AND x.result = 'deployed')) q;
SELECT count(*) FROM (SELECT r.* FROM function_conditions c JOIN releases r ON r.owner = c.owner AND r.function_name = c.function_name
  AND r.repository = c.repository WHERE r.result = 'deployed' AND r.number = (SELECT MAX(x.number) FROM releases x
  WHERE x.owner = c.owner AND x.function_name = c.function_name AND x.result = 'deployed')) q;
SELECT count(*) FROM (SELECT r.* FROM function_conditions c JOIN releases r ON r.owner = c.owner AND r.function_name = c.function_name
  AND r.repository = c.repository WHERE r.result = 'deployed' AND r.number = (SELECT MAX(x.number) FROM releases x
  WHERE x.owner = c.owner AND x.function_name = c.function_name AND x.result = 'deployed')) q;
SQL
