#!/usr/bin/env bash
# Final evaluation of every seed of an experiment's runs, and their mean and std across seeds.
# usage: scripts/final_eval.sh runs/<experiment>
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 runs/<experiment>" >&2; exit 2; }
shopt -s nullglob
files=("$1"/seed_*/eval.csv)
[ ${#files[@]} -gt 0 ] || { echo "$1: no seed_*/eval.csv" >&2; exit 2; }
printf "%-8s %10s %12s %10s %12s %8s\n" seed step return std distance falls
for f in "${files[@]}"; do
  seed=$(basename "$(dirname "$f")")
  tail -n 1 "$f" | awk -F, -v seed="$seed" '{ printf "%-8s %10d %12.1f %10.1f %12.2f %5d/%d\n", seed, $1, $3, $4, $5, $6, $2 }'
done
for f in "${files[@]}"; do tail -n 1 "$f"; done | awk -F, '
  { n++; r += $3; rr += $3 * $3; d += $5; dd += $5 * $5; falls += $6; episodes += $2 }
  END {
    sr = (n > 1) ? sqrt((rr - r * r / n) / (n - 1)) : 0
    sd = (n > 1) ? sqrt((dd - d * d / n) / (n - 1)) : 0
    printf "%d seeds: return %.1f +- %.1f (std across seeds), distance %.2f +- %.2f m, falls %d/%d\n",
           n, r / n, sr, d / n, sd, falls, episodes
  }'
