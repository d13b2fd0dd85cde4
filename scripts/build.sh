#!/usr/bin/env bash
# Configures and builds the Release preset (build/release).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake --preset release
cmake --build --preset release -j "$(nproc)"
