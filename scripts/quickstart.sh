#!/usr/bin/env bash
# Installs, builds and trains the quickstart experiment into runs/quickstart/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
./build/release/bin/stride run experiments/quickstart.toml --force "$@"
