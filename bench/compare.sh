#!/usr/bin/env bash
# compare.sh — a benchmark at a base git ref and in this tree, side by side in one run.
#
#   bench/compare.sh [BASE_REF] [FILTER] [ROUNDS] [BENCH]
#   bench/compare.sh 0974fc0 'render/flow-lines/1024' 3
#   bench/compare.sh d344c82 'SettledPurchases' 3 settlement_bench
#
# BENCH is a target of bench/CMakeLists.txt (default render_bench). Builds it for BASE_REF
# once (git archive into BENCH_BASE_DIR, default /tmp/atelier-bench-base-REF, so it reads its
# own generator scripts), builds this tree's build/ target, then runs the two binaries
# alternately ROUNDS times: the machine is shared and noisy, so compare rows of the same round,
# or the best of the rounds, never runs from different times.
set -euo pipefail
base=${1:-0974fc0}
filter=${2:-render/flow-lines/1024}
rounds=${3:-2}
bench=${4:-render_bench}
root=$(git rev-parse --show-toplevel)
dir=${BENCH_BASE_DIR:-/tmp/atelier-bench-base-$base}
if [ ! -x "$dir/build/bench/$bench" ]; then
  if [ ! -f "$dir/build/build.ninja" ]; then
    rm -rf "$dir"
    mkdir -p "$dir/src"
    git -C "$root" archive "$base" | tar -x -C "$dir/src"
    cmake -S "$dir/src" -B "$dir/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF >/dev/null
  fi
  cmake --build "$dir/build" --target "$bench"
fi
cmake --build "$root/build" --target "$bench"
rows='^(render|png|raster|BM_)'
for round in $(seq "$rounds"); do
  echo "== round $round: base $base"
  "$dir/build/bench/$bench" --benchmark_filter="$filter" 2>&1 | grep -E "$rows"
  echo "== round $round: this tree ($(git -C "$root" rev-parse --short HEAD))"
  "$root/build/bench/$bench" --benchmark_filter="$filter" 2>&1 | grep -E "$rows"
done
