#!/usr/bin/env bash
# Fuzzes spec parsing, verification and --emit=summary with libFuzzer under
# ASan+UBSan (clang-22). Crashes land in test/fuzz/corpus/ once minimized by
# hand; ctest replays that folder on every run.
#   scripts/fuzz.sh [SECONDS]   (default 120)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-120}
bash "$root/scripts/setup.sh" >/dev/null
build=$root/build-fuzz
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
if [[ ! -f $build/build.ninja ]]; then
  "$root/.venv/bin/cmake" -S "$root" -B "$build" -G Ninja \
    -DCMAKE_MAKE_PROGRAM="$root/.venv/bin/ninja" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_PREFIX_PATH="$root/.venv" \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link $san" \
    -DCMAKE_EXE_LINKER_FLAGS="$san" -DSPATTN_ENABLE_FUZZER=ON
fi
"$root/.venv/bin/cmake" --build "$build" -t spattn-spec-fuzzer
work=$(mktemp -d)
cp "$root"/examples/specs/*.mlir "$root"/test/Dialect/SpAttn/*.mlir "$work/"
cp "$root"/test/fuzz/corpus/*.mlir "$work/" 2>/dev/null || true
cd "$build"
./test/fuzz/spattn-spec-fuzzer "$work" -dict="$root/test/fuzz/spattn.dict" \
  -max_total_time="$seconds" -max_len=4096 -timeout=20 -rss_limit_mb=8192 \
  -print_final_stats=1
