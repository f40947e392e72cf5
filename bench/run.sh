#!/usr/bin/env bash
# Fast-engine throughput and memory per object for every policy (see bench/bench_fast.c).
# usage: bench/run.sh [BUILD_DIR] [requests] [keys] [alpha] [runs] [policy]
set -euo pipefail
build=${1:-build}
shift || true
if [ ! -x "$build/bench_fast" ]; then
  echo "bench: $build/bench_fast not built; run 'make build' first" >&2
  exit 1
fi
[ -x "$build/bench_des" ] && { echo "# event queue and resources (bench/bench_des.c)"; "$build/bench_des"; }
echo "# fast engine, Zipf(${3:-0.9}) ${1:-10M} requests over ${2:-1M} keys, objects mode, one thread;"
echo "# median of ${4:-5} runs after one warm-up run; $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
exec "$build/bench_fast" "${1:-10M}" "${2:-1M}" "${3:-0.9}" "${4:-5}" ${5:+"$5"}
