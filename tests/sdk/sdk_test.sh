#!/usr/bin/env bash
# The installed SDK, as a researcher uses it outside stride's tree: install the
# build into a temporary prefix, scaffold each plugin kind with `stride new`,
# build each against the prefix alone, run its test and its example experiment
# for a few steps; build the guide's examples the same way; and check that a
# plugin built against another SDK version is refused naming both versions.
#
# usage: sdk_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail

build_dir=$(cd "$1" && pwd)
source_dir=$(cd "$2" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/stride_sdk_test.XXXXXX")
trap 'rm -rf "$work"' EXIT
prefix="$work/prefix"
stride="$prefix/bin/stride"

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# a step with its wall time
step() {
  local start=$SECONDS
  "$@"
  echo "    ($(( SECONDS - start )) s)"
}

# configures and builds the project in $1 against the prefix in $2
compile_project() {
  local dir=$1 sdk=$2
  local launcher=()
  if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
  cmake -S "$dir" -B "$dir/build" -G Ninja -DCMAKE_PREFIX_PATH="$sdk" "${launcher[@]}" \
    >"$dir/configure.log" 2>&1 || { cat "$dir/configure.log"; fail "configuring $dir"; }
  cmake --build "$dir/build" -j 2 >"$dir/build.log" 2>&1 ||
    { cat "$dir/build.log"; fail "building $dir"; }
}

# compiles the project in $1 against the prefix in $2, then runs its tests
build_project() {
  local dir=$1
  compile_project "$@"
  ctest --test-dir "$dir/build" --output-on-failure >"$dir/test.log" 2>&1 ||
    { cat "$dir/test.log"; fail "testing $dir"; }
  grep -E "tests passed" "$dir/test.log"
}

# runs an experiment file from its own directory with overrides, into $work/runs
run_experiment() {
  local file=$1
  shift
  (cd "$(dirname "$file")" &&
    env -u STRIDE_PLUGIN_PATH "$stride" run "$(basename "$file")" --out "$work/runs" "$@" \
      >"$file.log" 2>&1) || { cat "$file.log"; fail "running $file"; }
  grep "evaluation at step" "$file.log"
}

echo "== install into $prefix"
cmake --install "$build_dir" --prefix "$prefix" >"$work/install.log"
for file in bin/stride lib/libstride.so lib/libstride_mujoco.a include/stride/plugin.h \
  include/stride/build_info.h include/stride/mujoco_env.h \
  lib/cmake/stride/strideConfig.cmake lib/cmake/stride/strideConfigVersion.cmake \
  lib/cmake/stride/strideTargets.cmake lib/cmake/stride/StridePlugin.cmake; do
  [ -f "$prefix/$file" ] || fail "the install lacks $file"
done
installed=$(cd "$prefix/lib/stride/plugins" && ls)
built=$(cd "$build_dir/lib/stride/plugins" && ls)
[ "$installed" = "$built" ] || fail "installed plugins ($installed) differ from built ($built)"
if find "$prefix" -name "stride_test_*" | grep -q .; then fail "a test-only plugin was installed"; fi
# the executable finds libstride.so and its plugins through its own location
env -u LD_LIBRARY_PATH -u STRIDE_PLUGIN_PATH "$stride" plugins >"$work/plugins.txt" ||
  fail "the installed stride does not run"
grep -q "stride_ppo.so" "$work/plugins.txt" || fail "the installed stride lists no built-in plugins"

echo "== stride new: each kind builds against the installed SDK and runs"
mkdir -p "$work/projects"
declare -A kind_steps=([reward]=4096 [environment]=4096 [algorithm]=6400)
for kind in reward environment algorithm; do
  name="my_$kind"
  dir="$work/projects/$name"
  echo "-- $kind $name"
  "$stride" new "$kind" "$name" --dir "$dir" >/dev/null
  step build_project "$dir" "$prefix"
  step run_experiment "$dir/example.toml" --set "experiment.total_steps=${kind_steps[$kind]}" \
    --set evaluation.every_steps=0
done

echo "== the guide's examples"
examples="$work/examples"
cp -r "$source_dir/docs/examples" "$examples"
step build_project "$examples/foot_slip" "$prefix"
step run_experiment "$examples/foot_slip/foot_slip.toml" --set experiment.total_steps=4096 \
  --set experiment.seeds=[0] --set evaluation.every_steps=0 --set evaluation.episodes=2
step build_project "$examples/hopper" "$prefix"
step run_experiment "$examples/hopper/hopper.toml" --set experiment.total_steps=4096 \
  --set experiment.seeds=[0] --set evaluation.every_steps=0 --set evaluation.episodes=2
step run_experiment "$examples/long_legs/long_legs.toml" --set experiment.total_steps=4096 \
  --set experiment.seeds=[0] --set evaluation.every_steps=0 --set evaluation.episodes=2

echo "== a plugin built against another SDK version is refused, naming both"
other="$work/other_prefix"
cp -r "$prefix" "$other"
sed -i 's/#define STRIDE_VERSION ".*"/#define STRIDE_VERSION "0.0.1"/' \
  "$other/include/stride/build_info.h"
dir="$work/projects/old_term"
"$stride" new reward old_term --dir "$dir" >/dev/null
step compile_project "$dir" "$other"
status=0
(cd "$dir" && env -u STRIDE_PLUGIN_PATH "$stride" validate example.toml >"$dir/validate.log" 2>&1) ||
  status=$?
cat "$dir/validate.log"
[ "$status" -eq 2 ] || fail "validate exited with $status, expected 2"
version=$("$stride" --version | head -1 | cut -d' ' -f2)
grep -q "old_term.so' was built against stride 0.0.1 (" "$dir/validate.log" ||
  fail "the refusal does not name the plugin's version"
grep -q "but this is stride $version (" "$dir/validate.log" ||
  fail "the refusal does not name this stride's version"

echo "PASS"
