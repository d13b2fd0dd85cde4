#!/usr/bin/env bash
# Soak benchmark: one long run of an experiment, sampling the process's resident
# memory, open file descriptors and the run directory's size as it trains, then
# their growth per million steps after the first million.
#
# usage: scripts/soak.sh [EXPERIMENT] [STEPS] [OUT_DIR]
#   defaults: experiments/quickstart.toml, 10_000_000, /tmp/stride-soak
# writes OUT_DIR/samples.csv (seconds, step, rss_kib, fds, run_bytes) and prints
# the summary.
set -euo pipefail
cd "$(dirname "$0")/.."
experiment=${1:-experiments/quickstart.toml}
steps=${2:-10000000}
out=${3:-/tmp/stride-soak}
stride=build/release/bin/stride

rm -rf "$out"
mkdir -p "$out"
"$stride" run "$experiment" --out "$out/runs" --seed 0 \
  --set experiment.total_steps="$steps" --set experiment.checkpoint_every_steps=100_000 \
  --set evaluation.stop_on_success=false 2>"$out/stderr.log" &
pid=$!

samples="$out/samples.csv"
echo "seconds,step,rss_kib,fds,run_bytes" >"$samples"
start=$(date +%s)
while kill -0 "$pid" 2>/dev/null; do
  metrics=$(find "$out/runs" -name metrics.csv 2>/dev/null | head -1 || true)
  if [ -n "$metrics" ]; then
    run_dir=$(dirname "$metrics")
    # (files come and go while the run writes them: no sample fails the script)
    step=$(tail -1 "$metrics" | cut -d, -f1)
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
    fds=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l || true)
    bytes=$(du -sb "$run_dir" 2>/dev/null | cut -f1 || true)
    [ -n "$rss" ] && [ -n "$bytes" ] && [ "$step" != step ] &&
      echo "$(($(date +%s) - start)),$step,$rss,$fds,$bytes" >>"$samples"
  fi
  sleep 5
done
wait "$pid" || { echo "soak: the run failed, see $out/stderr.log" >&2; exit 1; }

# growth per million steps, from the first sample past 1M steps to the last
awk -F, -v steps="$steps" '
  NR == 1 { next }
  $2 >= 1000000 && !first { first = 1; s0 = $2; r0 = $3; f0 = $4; b0 = $5 }
  { s1 = $2; r1 = $3; f1 = $4; b1 = $5; rmax = ($3 > rmax ? $3 : rmax) }
  END {
    if (!first || s1 == s0) { print "soak: too few samples past 1M steps"; exit 1 }
    m = (s1 - s0) / 1e6
    printf "steps %d to %d (%d samples in all)\n", s0, s1, NR - 1
    printf "resident memory: %.1f MiB at 1M steps, %.1f MiB at the end, peak %.1f MiB: %+.2f MiB per 1M steps\n", r0 / 1024, r1 / 1024, rmax / 1024, (r1 - r0) / 1024 / m
    printf "open file descriptors: %d at 1M steps, %d at the end: %+.2f per 1M steps\n", f0, f1, (f1 - f0) / m
    printf "run directory: %.2f MiB at 1M steps, %.2f MiB at the end: %+.3f MiB per 1M steps\n", b0 / 1048576, b1 / 1048576, (b1 - b0) / 1048576 / m
  }' "$samples"
