#!/usr/bin/env bash
# Fuzzes spec text through the compiler with libFuzzer under ASan+UBSan
# (the clang-22 build-asan of scripts/sanitize.sh): the parser-crash guard,
# parse and verify, both passes, --emit=summary, the library plan and the
# generated cpu and cuda source text (test/fuzz/SpecFuzzer.cpp). One worker.
#   scripts/fuzz.sh [SECONDS]   (default 120)
# Seeds: the example specs, the lit inputs and test/fuzz/corpus/ (read only).
# New interesting inputs accumulate in $SPATTN_FUZZ_WORK/corpus (default
# build-asan/fuzz-work), so a later run starts where the last one stopped;
# a crash, hang (-timeout) or sanitizer report stops the run and leaves the
# input in $SPATTN_FUZZ_WORK/artifacts/. Minimize it (the fuzzer binary with
# -minimize_crash=1), fix the cause and add the case to test/fuzz/corpus/,
# which ctest replays (fuzz-corpus-replay). The final stats line
# stat::number_of_executed_units counts the executions of the run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-120}
work=${SPATTN_FUZZ_WORK:-$root/build-asan/fuzz-work}
# The toolchain only; the main build is not needed here.
[[ -x $root/.venv/bin/cmake ]] && command -v clang++-22 >/dev/null ||
  bash "$root/scripts/setup.sh" >/dev/null
bash "$root/scripts/sanitize.sh" build address spattn-spec-fuzzer
mkdir -p "$work/corpus" "$work/artifacts"
# MLIR contexts live until exit on purpose: no leak checks.
export ASAN_OPTIONS=detect_leaks=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
"$root/build-asan/test/fuzz/spattn-spec-fuzzer" "$work/corpus" \
  "$root/examples/specs" "$root/test/Dialect/SpAttn" \
  "$root/test/Tools/spattn-compile" "$root/test/fuzz/corpus" \
  -dict="$root/test/fuzz/spattn.dict" -artifact_prefix="$work/artifacts/" \
  -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=4096 \
  -detect_leaks=0 -print_final_stats=1
