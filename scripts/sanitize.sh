#!/usr/bin/env bash
# Sanitizer lanes (docs/reliability.md), each in its own clang-22 build:
#   scripts/sanitize.sh address   ASan+UBSan (build-asan): the unit tests,
#                                 the CPU libraries end to end, the spec
#                                 fuzz corpus, the C API fuzzer and the
#                                 concurrency test
#   scripts/sanitize.sh thread    TSan (build-tsan): the concurrency test
# CI runs a subset: the ctest tests labelled `sanitizer` of the regular
# build (cmake/SpattnSanitizedTwins.cmake; docs/reliability.md).
#   scripts/sanitize.sh configure address|thread   only configure the build
#   scripts/sanitize.sh build address|thread TARGET...   build targets there
# scripts/fuzz.sh fuzzes in build-asan too. A sanitizer report fails the lane.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv=$root/.venv

# configure LANE: creates build-<asan|tsan> if it does not exist.
build_dir() { [[ $1 == thread ]] && echo "$root/build-tsan" || echo "$root/build-asan"; }
configure() {
  local lane=$1 build flags
  build=$(build_dir "$lane")
  case $lane in
    # fuzzer-no-link: the same objects also link into libFuzzer binaries.
    address) flags="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -fsanitize=fuzzer-no-link" ;;
    thread) flags="-fsanitize=thread" ;;
    *) echo "unknown lane '$lane' (address, thread)" >&2; exit 2 ;;
  esac
  [[ -f $build/build.ninja ]] && return
  "$venv/bin/cmake" -S "$root" -B "$build" -G Ninja \
    -DCMAKE_MAKE_PROGRAM="$venv/bin/ninja" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_PREFIX_PATH="$venv" \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DSPATTN_SANITIZER_FLAGS="$flags" -DSPATTN_ENABLE_FUZZER=ON \
    $([[ -x /usr/local/cuda/bin/nvcc ]] && echo -DCUDAToolkit_ROOT=/usr/local/cuda) >/dev/null
}

# build LANE TARGET...: one build at a time per folder (helpers share them).
build() {
  local build; build=$(build_dir "$1"); shift
  flock "$build/.lock" "$venv/bin/cmake" --build "$build" -j "$(nproc)" -t "$@"
}

# Halide's and MLIR's own allocations outlive main on purpose: no leak
# checks, every other report is fatal.
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1

# The lanes' test programs (GoogleTest binaries, run whole) and ctest tests.
address_programs=(test/unit/core/spattn-core-tests test/unit/reference/spattn-reference-tests
  test/unit/eval/spattn-eval-tests test/unit/schedule/spattn-schedule-tests
  test/unit/selections/spattn-host-selection-tests test/unit/cpu/spattn-cpu-support-tests
  test/unit/tools/spattn-tools-tests test/unit/calibrate/spattn-calibrate-tests
  test/e2e/spattn-cpu-e2e-tests test/concurrency/spattn-concurrency-tests)
address_ctests='^(fuzz-corpus-replay)$'
thread_programs=(test/concurrency/spattn-concurrency-tests)

# run LANE: builds the lane's programs, runs each; fails on the first
# failure or sanitizer report.
run() {
  local lane=$1 build programs=() targets=()
  build=$(build_dir "$lane")
  if [[ $lane == address ]]; then programs=("${address_programs[@]}")
  else programs=("${thread_programs[@]}"); fi
  for p in "${programs[@]}"; do targets+=("$(basename "$p")"); done
  [[ $lane == address ]] && targets+=(spattn-spec-fuzzer)
  build "$lane" "${targets[@]}"
  for p in "${programs[@]}"; do
    echo "== $lane: $(basename "$p")"
    "$build/$p" --gtest_brief=1
  done
  if [[ $lane == address ]]; then
    "$venv/bin/ctest" --test-dir "$build" --output-on-failure -R "$address_ctests"
  fi
  echo "== $lane lane: passed"
}

lane=${1:-address}
case $lane in
  configure) configure "${2:?address or thread}" ;;
  build) configure "${2:?address or thread}"; build "$2" "${@:3}" ;;
  address|thread)
    bash "$root/scripts/setup.sh" >/dev/null
    configure "$lane"
    run "$lane" ;;
  *) echo "usage: scripts/sanitize.sh address|thread|configure LANE|build LANE TARGET..." >&2; exit 2 ;;
esac
