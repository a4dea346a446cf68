#!/usr/bin/env bash
# pdq_reference.sh — Meta's reference PDQ beside pdq_bench, on the same images, alternately in
# one session (the machine is shared and noisy: compare rows of the same round).
#
#   bench/pdq_reference.sh REF_DIR [COPIES] [ROUNDS]
#
# REF_DIR holds the reference's benchmark-photo-hasher, built outside this repository from
# facebook/ThreatExchange pdq/cpp with in-process PNG decoding, as tests/compliance/data/
# README.md builds pdq-photo-hasher (same flags, bin/benchmark-photo-hasher.cpp). It reads
# COPIES copies (default 200) of art-512.png and of art-1024.png and reports its own timers:
# hashing (luma and hash, after CImg's resize to 512) and reading (CImg's PNG decode), both
# wall clock; the run's wall time also counts the resize; and the process's CPU time per image
# (all of it, the steadier figure on a busy machine; the hash's share estimated from its
# timers). Per image, one thread, like pdq_bench (whose rates are per CPU second).
set -euo pipefail
ref=${1:?usage: pdq_reference.sh REF_DIR [COPIES] [ROUNDS]}
copies=${2:-200}
rounds=${3:-1}
root=$(git rev-parse --show-toplevel)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --build "$root/build" --target pdq_bench >/dev/null
for side in 512 1024; do
  mkdir "$tmp/$side"
  # Regular files: the reference's directory walk skips symbolic links.
  for i in $(seq "$copies"); do
    cp "$root/tests/compliance/data/art-$side.png" "$tmp/$side/$i.png"
  done
done
for round in $(seq "$rounds"); do
  echo "== round $round: atelier (build/bench/pdq_bench)"
  "$root/build/bench/pdq_bench" --benchmark_filter='pdq/(hash|png\+hash|fingerprint)/' 2>&1 |
    grep -E '^pdq/'
  echo "== round $round: reference (benchmark-photo-hasher, $copies images)"
  for side in 512 1024; do
    start=$(date +%s%N)
    out=$(/usr/bin/time -f 'cpu %U %S' "$ref/benchmark-photo-hasher" "$tmp/$side" 2>&1)
    wall_ms=$(( ($(date +%s%N) - start) / 1000000 ))
    hash_s=$(sed -n 's/^TIME SPENT HASHING PHOTOS (SECONDS): *//p' <<<"$out")
    read_s=$(sed -n 's/^TIME SPENT READING PHOTOS (SECONDS): *//p' <<<"$out")
    cpu_s=$(awk '/^cpu / { print $2 + $3 }' <<<"$out")
    # Its timers are wall clock; on a shared machine the process's CPU time is the steadier
    # figure (decode, resize and hash together, as pdq_bench's CPU column counts them).
    awk -v n="$copies" -v h="$hash_s" -v r="$read_s" -v w="$wall_ms" -v c="$cpu_s" -v s="$side" \
      'BEGIN { printf "reference/%s: wall: hash %.1f/s, read+hash %.1f/s, run %.1f/s; " \
               "CPU: %.2f ms/image = %.1f/s, of it hash ~%.2f ms\n", s, n / h, n / (h + r),
               n / (w / 1000), 1000 * c / n, n / c, 1000 * c / n * h / (h + r) }'
  done
done
