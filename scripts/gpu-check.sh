#!/usr/bin/env bash
# Builds the device check pack: a self-contained folder (under 60 MiB,
# ignored by git) with the CUDA library of every example, bench and
# bench/gpu spec, small cases with fp64 reference outputs, and the runner
# to take to a GPU machine (see bench/gpu/README.md).
#
#   scripts/gpu-check.sh [PACK_DIR]      (default: gpu-pack)
#
# Needs the project built (spattn-compile, and spattn-run with --reference)
# and numpy (.venv). SPATTN_BUILD_DIR, SPATTN_RUN override the tools.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${SPATTN_BUILD_DIR:-$root/build}
pack=${1:-$root/gpu-pack}
compiler=$build/compiler/spattn-compile/spattn-compile
run_tool=${SPATTN_RUN:-$build/compiler/spattn-run/spattn-run}
python=$root/.venv/bin/python
[ -x "$python" ] || python=python3

for tool in "$compiler" "$run_tool"; do
  [ -x "$tool" ] || { echo "gpu-check: $tool is missing; build the project first" >&2; exit 1; }
done
if ! "$run_tool" --help | grep -q -- '--reference'; then
  echo "gpu-check: $run_tool has no --reference; rebuild spattn-run" >&2
  exit 1
fi

echo "building the device check pack in $pack"
"$python" "$root/bench/gpu/make_pack.py" --compiler "$compiler" \
  --run-tool "$run_tool" --root "$root" --out "$pack" --jobs "$(nproc)" \
  "$root"/examples/specs/*.mlir "$root"/bench/specs/*.mlir \
  "$root"/bench/gpu/specs/*.mlir

size=$(du -sm "$pack" | cut -f1)
if [ "$size" -ge 60 ]; then
  echo "gpu-check: $pack is ${size} MiB (du); the limit is 60 MiB" >&2
  exit 1
fi
echo "pack: ${size} MiB (du)"
echo "on the GPU machine, run:"
echo "  python3 $(basename "$pack")/runner.py --out $(basename "$pack")/results.json"
