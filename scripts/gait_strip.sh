#!/usr/bin/env bash
# A strip of frames of a policy's gait, to see at a glance whether it walks:
# 14 frames over the first 4 s of its first evaluation episode, 7 per row.
# usage: scripts/gait_strip.sh RUN_DIR|POLICY OUT.png
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 RUN_DIR|POLICY OUT.png" >&2; exit 2; }
cd "$(dirname "$0")/.."
video=$(mktemp --suffix=.mp4)
trap 'rm -f "$video"' EXIT
./build/release/bin/stride render "$1" --out "$video" --seconds 4 --width 320 --height 240
ffmpeg -loglevel error -y -i "$video" -vf "select=not(mod(n\,9)),tile=7x2" -frames:v 1 "$2"
echo "wrote $2"
