#!/usr/bin/env bash
# The main job on a bundled example: set up (if needed), print the spec's
# per-bucket summary, build its CPU library (spattn-compile --target=cpu),
# then in every bucket run the library on generated inputs, check it against
# the fp64 reference and print the time per call.
#   Usage: scripts/demo.sh [SPEC.mlir]
# Per bucket the length is the bucket's upper bound, capped at 16384 (or its
# lower bound when that is larger); a whole prefill up to 4096 keys, else a
# chunk of 128 queries at the end of the sequence.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
spec=${1:-$root/examples/specs/streaming_llm.mlir}
bash "$root/scripts/setup.sh"
build=${SPATTN_BUILD_DIR:-$root/build}
compile=$build/compiler/spattn-compile/spattn-compile
run=$build/compiler/spattn-run/spattn-run

name=$(sed -n 's/.*spattn\.spec @\([A-Za-z0-9_]*\).*/\1/p' "$spec" | head -1)
buckets=$(sed -n 's/.*buckets = array<i64: \([0-9, ]*\)>.*/\1/p' "$spec" | head -1 | tr -d ' ' | tr ',' ' ')
work=$build/demo/$name
rm -rf "$work"
"$compile" "$spec" --emit=summary
echo
echo "== spattn-compile --target=cpu -o $work/lib"
"$compile" "$spec" --target=cpu -o "$work/lib"
ls "$work/lib"
lo=1
for hi in $buckets; do
  length=$(( hi < 16384 ? hi : (lo > 16384 ? lo : 16384) ))
  queries=$(( length <= 4096 ? length : 128 ))
  echo
  echo "== bucket [$lo, $hi]: L = $length, $queries queries"
  "$run" --make-inputs "$work/inputs" --spec "$spec" --length "$length" \
    --queries "$queries" > /dev/null
  "$run" "$spec" --lib "$work/lib" --q "$work/inputs/q.npy" \
    --k "$work/inputs/k.npy" --v "$work/inputs/v.npy" -o "$work/o.npy" \
    --check --repeat 3
  rm -rf "$work/inputs"
  lo=$(( hi + 1 ))
done
