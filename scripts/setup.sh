#!/usr/bin/env bash
# Installs stride's build and run dependencies from Debian 12 packages. Idempotent.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config
  libtorch-dev libopenblas0-openmp libblas-dev
  libmujoco-dev libqhull-dev
  libtomlplusplus-dev libfmt-dev libboost-dev libboost-filesystem-dev
  googletest libgtest-dev libgmock-dev
  libegl-dev libegl-mesa0 libgl1-mesa-dri libglfw3-dev ffmpeg xvfb xauth
  slurm-wlm munge libgloo-dev
  clang-format-14
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages are installed"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: run as root to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "setup: installing ${missing[*]}"
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
