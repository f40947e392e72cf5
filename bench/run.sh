#!/usr/bin/env bash
# Benchmarks: the event queue (bench_des), the timed engine (bench_timed), the trace readers
# (bench_read), the workload generators (bench_gen), the gpu back-end's copies (bench_gpu,
# skipped without a GPU), the one-pass miss-ratio curves (bench_mrc), and the fast engine's
# throughput and memory per object for every policy (bench_fast), and the sweep machinery
# (bench_sweep.sh: threads, MPI ranks, per-point overhead), and the whole-process replay of
# an oracleGeneral file (bench_replay.sh: the speed targets of issue 15).
# usage: bench/run.sh [BUILD_DIR] [requests] [keys] [alpha] [runs] [policy]
set -euo pipefail
build=${1:-build}
shift || true
for b in bench_fast bench_des bench_timed bench_read bench_gen bench_gpu bench_mrc; do
  if [ ! -x "$build/$b" ]; then
    echo "bench: $build/$b not built; run 'make build' first" >&2
    exit 1
  fi
done
echo "# $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "# event queue and resources (bench/bench_des.c)"
"$build/bench_des"
echo "# timed engine, two tiers (H100 HBM 1%, DDR5 10%) over S3, Zipf(0.9) 2M requests over"
echo "# 1M keys of 4KiB, objects mode; median of 5 runs after one warm-up (bench/bench_timed.c)"
"$build/bench_timed" 2M 1M 0.9 5
echo "# trace readers: 10M Zipf requests in each format, read from the page cache; median of 5"
echo "# runs after one warm-up, open included (bench/bench_read.c)"
"$build/bench_read" 10M 5 "${TMPDIR:-/tmp}"
echo "# workload generators: 10M requests each through the reader interface, defaults apart"
echo "# from the params shown; median of 5 runs after one warm-up, open included (bench/bench_gen.c)"
"$build/bench_gen" 10M 5
echo "# GPU copies: the gpu back-end's writes against a plain cudaMemcpy loop, 1 GiB in 4 MiB"
echo "# objects; median of 5 runs after one warm-up; skipped without a GPU (bench/bench_gpu.c)"
"$build/bench_gpu" || [ $? -eq 77 ]
echo "# miss-ratio curves: a 100-point exact LRU curve against one LRU run of the same"
echo "# generated trace (median of 5 runs after a warm-up, one thread); SHARDS and mini"
echo "# simulations' mean absolute error against exact (bench/bench_mrc.c)"
"$build/bench_mrc" 10M 1M 1.0 5
echo "# fast engine, Zipf(1.0) ${1:-10M} requests over ${2:-1M} keys, objects mode, one thread: the"
echo "# policies of issue 15 (target at least 10M requests/s each) beside LRU; median of ${4:-5} runs"
for p in lru gdsf hyperbolic lfuda lruk qdlp slru twoq car lecar wtinylfu epoch cacheus lhd lirs clockpro; do
  "$build/bench_fast" "${1:-10M}" "${2:-1M}" 1.0 "${4:-5}" "$p" | tail -n +2
done
echo "# whole-process replay: tiersim run of a 20M-request Zipf(1.0) oracleGeneral file over 1M"
echo "# keys, one tier of 100,000 objects; median wall time of 5 runs (bench/bench_replay.sh)"
"$(dirname "$0")/bench_replay.sh" "$build" 5
echo "# sweeps: 64 points on one thread, two, and two MPI ranks; medians of 5 (bench/bench_sweep.sh)"
"$(dirname "$0")/bench_sweep.sh" "$build" 5
echo "# fast engine, Zipf(${3:-0.9}) ${1:-10M} requests over ${2:-1M} keys, objects mode, one thread;"
echo "# median of ${4:-5} runs after one warm-up run"
exec "$build/bench_fast" "${1:-10M}" "${2:-1M}" "${3:-0.9}" "${4:-5}" ${5:+"$5"}
