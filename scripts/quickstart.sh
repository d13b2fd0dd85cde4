#!/usr/bin/env bash
# Installs, builds and trains the quickstart experiment into runs/quickstart/,
# renders the learned walk into runs/quickstart/seed_0/walk.mp4 and says
# whether the policy meets the walking criterion.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
./build/release/bin/stride run experiments/quickstart.toml --force "$@"
run=runs/quickstart/seed_0
./build/release/bin/stride render "$run" --out "$run/walk.mp4"
./build/release/bin/stride eval "$run"
