#!/usr/bin/env bash
# Whole-process replay, the speed measure of issue 15: `tiersim run` of a one-tier scenario
# reading a 20M-request Zipf(1.0) oracleGeneral file over 1M keys (480 MB, written once to a
# scratch directory and then read from the page cache), 100,000 objects (10% of the keys),
# objects mode, the bill off. For LRU, FIFO, CLOCK, SIEVE, S3-FIFO and ARC: the median wall
# time of RUNS runs (process start to exit, reading and decoding the file included) and
# requests/s = requests / that time, beside the issue's target.
# usage: bench/bench_replay.sh BUILD_DIR [RUNS] [REQUESTS]
set -euo pipefail
build=$1
runs=${2:-5}
requests=${3:-20M}
bin="$build/tiersim"
src=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-replay.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

"$bin" trace gen "$src/examples/zipf-lru.yaml" -q -f oracle_general -o "$tmp/z.oracleGeneral" \
  -s workload.generator.alpha=1.0 -s workload.generator.keys=1M \
  -s workload.generator.requests="$requests"
cat > "$tmp/replay.yaml" <<EOF
mode: objects
workload: {trace: {path: $tmp/z.oracleGeneral, format: oracle_general}}
tiers: [{name: cache, capacity: 100000, policy: lru}]
engine: fast
cost: {enabled: false}
EOF
n=$("$bin" run "$tmp/replay.yaml" --json | awk -F'[:,]' '/"requests":/ { gsub(/ /, "", $2); print $2; exit }')
cat "$tmp/z.oracleGeneral" > /dev/null # in the page cache before the first timed run

# median of the wall times (s) of RUNS runs of the command
median() {
  local t=()
  for ((i = 0; i < runs; i++)); do
    local t0 t1
    t0=$(date +%s.%N)
    "$@" > /dev/null
    t1=$(date +%s.%N)
    t+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')")
  done
  printf '%s\n' "${t[@]}" | sort -g | sed -n "$(((runs + 1) / 2))p"
}

printf '%-8s %10s %14s %10s\n' policy wall_s requests_per_s target
for p in lru:35M fifo:40M clock:40M sieve:40M s3fifo:25M arc:25M; do
  pol=${p%%:*}
  t=$(median "$bin" run "$tmp/replay.yaml" -q -s tiers.0.policy="$pol")
  awk -v p="$pol" -v t="$t" -v n="$n" -v g="${p##*:}" \
    'BEGIN { printf "%-8s %10.3f %13.1fM %10s\n", p, t, n / t / 1e6, g }'
done
