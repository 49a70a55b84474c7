#!/usr/bin/env bash
# Builds every given spec with `spattn-compile --target=cuda` (sm_80 and
# sm_90a) and checks, without a GPU, what the CUDA target promises:
#   - every spec compiles (static and content-based; only a spec whose tiles
#     are not multiples of the kernels' 64 x 64 may be refused, with the
#     located diagnostic that says so); the compile time is printed, not
#     checked: it depends on the machine and on what runs beside it (a
#     2-core CI machine took 26-150 s per spec), and speed belongs in
#     reports, not in pass/fail;
#   - no attend or selection kernel spills or has a stack frame (ptxas -v, from the
#     library's <name>_cuda_kernels.txt);
#   - the sm_90a and sm_80 SASS use tensor cores (HMMA), read by cuobjdump;
#   - lib<name>.so needs no CUDA runtime library (it is linked in statically).
# Prints compile time, registers and stack per attend and selection kernel.
#   check_cuda_kernels.sh <spattn-compile> <cuobjdump> <work-dir> <spec>...
set -euo pipefail
compile=$1 cuobjdump=$2 work=$3
shift 3
export PATH="$(dirname "$cuobjdump"):$PATH" # cuobjdump runs nvdisasm beside it
rm -rf "$work" && mkdir -p "$work"
failures=0 built=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

for spec in "$@"; do
  name=$(basename "$spec" .mlir)
  out=$work/$name
  start=$(date +%s%N)
  if ! "$compile" "$spec" --target=cuda -o "$out" >"$work/$name.log" 2>&1; then
    if grep -q "block_q and block_k must be multiples of 64" "$work/$name.log"; then
      echo "$name: refused (its tiles are not multiples of 64)"
      continue
    fi
    fail "$name does not build for --target=cuda:"; cat "$work/$name.log"; continue
  fi
  millis=$((($(date +%s%N) - start) / 1000000))
  built=$((built + 1))
  lib=$(ls "$out"/lib*.so)
  report=$(ls "$out"/*_cuda_kernels.txt)
  printf '%s: built in %d.%01d s\n' "$name" $((millis / 1000)) $((millis % 1000 / 100))
  # ptxas: the line after "Compiling entry function '...'" holds stack and
  # spills, the one after that the registers. Attend kernels
  # (attentionKernel) and selection kernels (the *Kernel of
  # SelectionKernels.cuh) must keep no stack frame and spill nothing.
  awk -v name="$name" '
    /Compiling entry function/ {
      kind = $0 ~ /attentionKernel/ ? "attend" : $0 ~ /Kernel/ ? "selection" : ""
      arch = $NF; next }
    kind != "" && /bytes stack frame/ {
      stack = $1; spills = $5 + $9; next }
    kind != "" && /Used [0-9]+ registers/ {
      match($0, /Used [0-9]+ registers/); regs = substr($0, RSTART + 5, RLENGTH - 15)
      printf "  %s kernel %s: %s registers, %s bytes stack, %s bytes spilled\n", kind, arch, regs, stack, spills
      if (stack != 0 || spills != 0) bad = 1
      kind = "" }
    END { exit bad }' "$report" | sort | uniq -c || fail "$name: a kernel spills or has a stack frame"
  for arch in sm_80 sm_90a; do
    hmma=$("$cuobjdump" -sass -arch "$arch" "$lib" 2>/dev/null | grep -c HMMA || true)
    [[ $hmma -gt 0 ]] || fail "$name: no HMMA (tensor-core) instruction in the $arch SASS"
  done
  if ldd "$lib" | grep -q libcudart; then fail "$name: lib$name.so links libcudart dynamically"; fi
done

[[ $built -gt 0 ]] || fail "no spec was built"
echo "$built libraries built for cuda, $failures failures"
exit $((failures > 0))
