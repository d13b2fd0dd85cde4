#!/usr/bin/env bash
# Final evaluation of every seed of an experiment's runs, and the mean and std across seeds of
# the return and of each episode metric the environment declares (the columns of eval.csv).
# usage: scripts/final_eval.sh runs/<experiment>
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 runs/<experiment>" >&2; exit 2; }
shopt -s nullglob
files=("$1"/seed_*/eval.csv)
[ ${#files[@]} -gt 0 ] || { echo "$1: no seed_*/eval.csv" >&2; exit 2; }
for f in "${files[@]}"; do
  printf "%s,%s\n" "$(basename "$(dirname "$f")")" "$(tail -n 1 "$f")"
done | awk -F, -v header="seed,$(head -n 1 "${files[0]}")" '
  BEGIN {
    n_columns = split(header, name, ",")
    # the columns worth a mean: the return and the episode metrics
    for (c = 2; c <= n_columns; c++) {
      if (name[c] !~ /^(step|episodes|std_return|train_time_s|successes)$/) shown[++n_shown] = c
    }
    printf "%-8s %10s", "seed", "step"
    for (k = 1; k <= n_shown; k++) printf " %14s", name[shown[k]]
    printf "\n"
  }
  {
    rows++
    printf "%-8s %10d", $1, $2
    for (k = 1; k <= n_shown; k++) {
      v = $shown[k]
      printf " %14.4g", v
      sum[k] += v
      sum_sq[k] += v * v
    }
    printf "\n"
  }
  END {
    printf "%d seeds, mean +- std across seeds:\n", rows
    for (k = 1; k <= n_shown; k++) {
      mean = sum[k] / rows
      std = (rows > 1) ? sqrt((sum_sq[k] - sum[k] * sum[k] / rows) / (rows - 1)) : 0
      printf "  %-24s %.4g +- %.4g\n", name[shown[k]], mean, std
    }
  }'
