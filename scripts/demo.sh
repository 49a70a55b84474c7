#!/usr/bin/env bash
# The main job on a bundled example: set up (if needed), compile a spec and
# print its per-bucket summary.  Usage: scripts/demo.sh [SPEC.mlir]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
spec=${1:-$root/examples/specs/streaming_llm.mlir}
bash "$root/scripts/setup.sh"
build=${SPATTN_BUILD_DIR:-$root/build}
"$build/compiler/spattn-compile/spattn-compile" "$spec" --emit=summary
