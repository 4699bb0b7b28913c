#!/usr/bin/env bash
# Prints the table of docs/reliability.md from what the reliability tests wrote
# (reliability/target/reliability/figures.tsv): the newest row of each test.
# Usage: reliability/figures.sh [figures.tsv]
set -euo pipefail
file=${1:-"$(cd "$(dirname "$0")" && pwd)/target/reliability/figures.tsv"}
[ -f "$file" ] || { echo "no figures at $file: run the reliability tests first" >&2; exit 1; }
echo "| test | trials/requests | faults injected | acknowledged | lost | duplicated | 5xx | crashes | notes |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
# newest row per test name, in the order the tests first appear
awk -F'\t' '{ if (!($1 in row)) order[n++] = $1; row[$1] = $0 }
  END { for (i = 0; i < n; i++) { split(row[order[i]], f, "\t");
        printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s (%s) |\n", f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10] } }' "$file"
