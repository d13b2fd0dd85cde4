#!/usr/bin/env bash
# Every C++ source is formatted as .clang-format says (Google, 100 columns):
# clang-format-14 would change nothing.
#
# usage: format_test.sh SOURCE_DIR
set -euo pipefail

cd "$1"
mapfile -t sources < <(find framework environments plugins algorithms tests docs/examples \
  -name '*.cc' -o -name '*.h' | sort)
[ "${#sources[@]}" -gt 100 ] || { echo "FAIL: found only ${#sources[@]} sources"; exit 1; }
if ! clang-format-14 --dry-run --Werror "${sources[@]}"; then
  echo "FAIL: format with: clang-format-14 -i \$(git ls-files '*.cc' '*.h')"
  exit 1
fi
echo "PASS: ${#sources[@]} sources formatted"
