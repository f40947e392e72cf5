#!/usr/bin/env bash
# Sweep machinery: a 64-point sweep of examples/zipf-two-tier.yaml (8 capacities x 8
# policies, 200k requests a point, -o to a scratch directory) on one thread against two
# (goal: at least 1.9x on 2 cores), under `mpirun -n 2 --threads 1` against one process on
# two threads (goal: within 10%), and the sweep's cost per point beside one `tiersim run`
# of a point (the overhead of loading, journaling and writing). The fixed cost of mpirun
# (launching two ranks, MPI_Init and MPI_Finalize: a sweep of a shard with no point under
# `mpirun -n 2` less the same without mpirun) is measured too, and the MPI sweep is given
# with it and without.
# The configurations run interleaved, one of each per round, so a machine shared with other
# work slows them alike. Medians of RUNS rounds.
# usage: bench/bench_sweep.sh BUILD_DIR [RUNS]
set -euo pipefail
build=$1
runs=${2:-5}
bin="$build/tiersim"
src=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-sweep.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
grid=(examples/zipf-two-tier.yaml
      --vary tiers.0.capacity=0.5%,1%,2%,3%,5%,8%,10%,20%
      --vary tiers.0.policy=lru,fifo,clock,sieve,s3fifo,arc,lfu,twoq
      -s workload.generator.requests=200k -q)
empty=(examples/zipf-two-tier.yaml --vary tiers.0.policy=lru,fifo --shard 3/4 -q)
launch=()
if command -v mpirun >/dev/null && "$bin" version | grep -q '^MPI: [^n]'; then
  launch=(mpirun -n 2 --oversubscribe)
  [ "$(id -u)" = 0 ] && launch+=(--allow-run-as-root)
fi

calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }

# the wall time (s) of one run of the command, appended to the file $tmp/t.NAME
timed() {
  local name=$1 t0 t1
  shift
  rm -rf "$tmp/out"
  t0=$(date +%s.%N)
  (cd "$src" && "$@") >/dev/null
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }' >>"$tmp/t.$name"
}

median() { sort -g "$tmp/t.$1" | sed -n "$(((runs + 1) / 2))p"; }

for ((r = 0; r < runs; r++)); do
  timed one "$bin" sweep "${grid[@]}" --threads 1 -o "$tmp/out"
  timed two "$bin" sweep "${grid[@]}" --threads 2 -o "$tmp/out"
  if [ ${#launch[@]} -gt 0 ]; then
    timed mpi "${launch[@]}" "$bin" sweep "${grid[@]}" --threads 1 -o "$tmp/out"
    timed mpifix "${launch[@]}" "$bin" sweep "${empty[@]}" -o "$tmp/out"
    timed empty "$bin" sweep "${empty[@]}" -o "$tmp/out"
  fi
  timed run "$bin" run examples/zipf-two-tier.yaml -s workload.generator.requests=200k \
    -s tiers.0.capacity=0.5% -s tiers.0.policy=lru -q
done
one=$(median one)
two=$(median two)
run=$(median run)
printf '%-40s %10s %s\n' "what" "seconds" "figure"
printf '%-40s %10.2f %s\n' "64 points, --threads 1" "$one" ""
printf '%-40s %10.2f %.2fx faster than one thread (goal >= 1.9x)\n' "64 points, --threads 2" \
  "$two" "$(calc "$one / $two")"
if [ ${#launch[@]} -gt 0 ]; then
  mpi=$(median mpi)
  fix=$(calc "$(median mpifix) - $(median empty)")
  printf '%-40s %10.2f %+.1f%% against --threads 2 (goal within 10%%)\n' \
    "64 points, mpirun -n 2 --threads 1" "$mpi" "$(calc "($mpi / $two - 1) * 100")"
  printf '%-40s %10.2f %s\n' "mpirun's fixed cost (launch, Init, Finalize)" "$fix" \
    "a sweep with no point, under mpirun -n 2 less without"
  printf '%-40s %10.2f %+.1f%% against --threads 2\n' "64 points, mpirun -n 2, less that" \
    "$(calc "$mpi - $fix")" "$(calc "(($mpi - $fix) / $two - 1) * 100")"
else
  printf '%-40s %10s %s\n' "64 points, mpirun -n 2" "-" "skipped: no MPI in this build or no mpirun"
fi
printf '%-40s %10.3f %s\n' "one run of a point (tiersim run)" "$run" ""
printf '%-40s %10.3f %+.0f ms a point against one run of it (negative: the sweep is cheaper)\n' \
  "per point in the sweep (1 thread)" "$(calc "$one / 64")" "$(calc "($one / 64 - $run) * 1000")"
