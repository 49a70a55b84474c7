#!/usr/bin/env bash
# The whole test suite: set up (if needed), build, then run lit and every
# GoogleTest suite through ctest.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/setup.sh"
build=${SPATTN_BUILD_DIR:-$root/build}
"$root/.venv/bin/ctest" --test-dir "$build" --output-on-failure -j "$(nproc)"
