#!/usr/bin/env bash
# Sweep machinery: a 64-point sweep of examples/zipf-two-tier.yaml (8 capacities x 8
# policies, 200k requests a point, -o to a scratch directory) on one thread against two
# (goal: at least 1.9x on 2 cores), under `mpirun -n 2 --threads 1` against one process on
# two threads (goal: within 10%), and the sweep's cost per point beside one `tiersim run`
# of a point (the overhead of loading, journaling and writing). Medians of RUNS runs.
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
launch=()
if command -v mpirun >/dev/null && "$bin" version | grep -q '^MPI: [^n]'; then
  launch=(mpirun -n 2 --oversubscribe)
  [ "$(id -u)" = 0 ] && launch+=(--allow-run-as-root)
fi

calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }

# median of the wall times (s) of RUNS runs of the command
median() {
  local t=()
  for ((i = 0; i < runs; i++)); do
    rm -rf "$tmp/out"
    local t0 t1
    t0=$(date +%s.%N)
    (cd "$src" && "$@") >/dev/null
    t1=$(date +%s.%N)
    t+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')")
  done
  printf '%s\n' "${t[@]}" | sort -g | sed -n "$(((runs + 1) / 2))p"
}

one=$(median "$bin" sweep "${grid[@]}" --threads 1 -o "$tmp/out")
two=$(median "$bin" sweep "${grid[@]}" --threads 2 -o "$tmp/out")
run=$(median "$bin" run examples/zipf-two-tier.yaml -s workload.generator.requests=200k \
      -s tiers.0.capacity=0.5% -s tiers.0.policy=lru -q)
printf '%-34s %10s %s\n' "what" "seconds" "figure"
printf '%-34s %10.2f %s\n' "64 points, --threads 1" "$one" ""
printf '%-34s %10.2f %.2fx faster than one thread (goal >= 1.9x)\n' "64 points, --threads 2" \
  "$two" "$(calc "$one / $two")"
if [ ${#launch[@]} -gt 0 ]; then
  mpi=$(median "${launch[@]}" "$bin" sweep "${grid[@]}" --threads 1 -o "$tmp/out")
  printf '%-34s %10.2f %+.1f%% against --threads 2 (goal within 10%%)\n' \
    "64 points, mpirun -n 2 --threads 1" "$mpi" "$(calc "($mpi / $two - 1) * 100")"
else
  printf '%-34s %10s %s\n' "64 points, mpirun -n 2" "-" "skipped: no MPI in this build or no mpirun"
fi
printf '%-34s %10.3f %s\n' "one run of a point (tiersim run)" "$run" ""
printf '%-34s %10.3f %+.0f ms a point against one run of it (negative: the sweep is cheaper)\n' \
  "per point in the sweep (1 thread)" "$(calc "$one / 64")" "$(calc "($one / 64 - $run) * 1000")"
