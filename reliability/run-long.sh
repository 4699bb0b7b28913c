#!/usr/bin/env bash
# The long form of the reliability suite, against the real components scripts/test.sh starts:
#   1. kill -9 anywhere with many trials on H2 and PostgreSQL (TRIALS, default 30 per store),
#   2. the hostile repositories with a 2 GiB (sparse) blob instead of 210 MiB,
#   3. every fuzz target FUZZ_ROUNDS times (default 15 rounds of 20 s each; the generated corpus carries over
#      between rounds, so this is one long fuzzing run per target),
#   4. the sustained GitHub 5xx/429 storm for STORM_SECONDS (default 600; 60 in the normal build),
#   5. the soak: SOAK_MINUTES (default 30) of pushes, invocations and dashboard/metrics reads on one daemon,
#      heap and file descriptors sampled.
# Then prints the table for docs/reliability.md (reliability/figures.sh). Any broken promise fails the script.
# Usage: reliability/run-long.sh        (TRIALS=100 SOAK_MINUTES=60 reliability/run-long.sh for more)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
trials=${TRIALS:-30}
rounds=${FUZZ_ROUNDS:-15}
soak=${SOAK_MINUTES:-30}
storm=${STORM_SECONDS:-600}
rm -f reliability/target/reliability/figures.tsv

scripts/test.sh -pl reliability -am -Dsurefire.failIfNoSpecifiedTests=false \
  -Dtest='KillNineTest,HostileRepositoriesTest,SurroundingFaultsTest,DataDiskFullTest' -Dreliability.trials="$trials" \
  -Dreliability.bigBlobBytes=$((2 * 1024 * 1024 * 1024)) -Dreliability.stormSeconds="$storm"

for round in $(seq 1 "$rounds"); do
  echo "==> fuzzing, round $round of $rounds"
  mvn -B -ntp -q -pl reliability -am verify -Dsurefire.failIfNoSpecifiedTests=false -Dtest='*FuzzTest'
done

scripts/test.sh -pl reliability -am -Dsurefire.failIfNoSpecifiedTests=false -Dtest='SoakTest' \
  -Dreliability.soakMinutes="$soak"

reliability/figures.sh
