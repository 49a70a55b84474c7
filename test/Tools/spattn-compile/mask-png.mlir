// spattn-compile --emit=mask-png -o DIR writes one PNG per bucket (at the
// bucket's upper length, or at --length N) and lists the files it wrote on
// stdout. Errors are located at the spec, exit 1 and write nothing.
// Pixels are checked by the spattn-tools-tests GoogleTest suite; here: the
// files, their names, the PNG signature, and the command line.
//
// RUN: rm -rf %t && split-file --leading-lines %s %t
//
// Every bucket at its upper length; the directory is created.
// RUN: spattn-compile %t/window.mlir --emit=mask-png -o %t/all/out | FileCheck %s --check-prefix=ALL
// ALL: {{.*}}/all/out/window_sinks_b0_L256_h0.png
// ALL-NEXT: {{.*}}/all/out/window_sinks_b1_L1024_h0.png
// ALL-NOT: png
// RUN: ls %t/all/out | count 2
// The PNG signature, then the IHDR chunk (length 13).
// RUN: od -An -tx1 -N16 %t/all/out/window_sinks_b1_L1024_h0.png | FileCheck %s --check-prefix=PNG
// PNG: 89 50 4e 47 0d 0a 1a 0a 00 00 00 0d 49 48 44 52
//
// --length picks the one bucket serving it; --head the query head.
// RUN: spattn-compile %t/window.mlir --emit=mask-png -o %t/one --length 300 --head 3 | FileCheck %s --check-prefix=ONE
// ONE: {{.*}}/one/window_sinks_b1_L300_h3.png
// ONE-NOT: png
// RUN: od -An -tx1 -N16 %t/one/window_sinks_b1_L300_h3.png | FileCheck %s --check-prefix=PNG
//
// Content-based patterns read Q and K from .npy files ([L, D] here, all
// zeros, so every block score ties) and are drawn at their length.
// RUN: printf '\223NUMPY\001\000\166\000%%-117s\n' "{'descr': '<f4', 'fortran_order': False, 'shape': (256, 16), }" > %t/zeros.npy
// RUN: head -c 16384 /dev/zero >> %t/zeros.npy
// RUN: spattn-compile %t/topk.mlir --emit=mask-png -o %t/npy --q %t/zeros.npy --k %t/zeros.npy | FileCheck %s --check-prefix=NPY
// NPY: {{.*}}/npy/topk_b0_L256_h0.png
// Without files the content is synthetic.
// RUN: spattn-compile %t/topk.mlir --emit=mask-png -o %t/synthetic | FileCheck %s --check-prefix=SYNTHETIC
// SYNTHETIC: {{.*}}/synthetic/topk_b0_L512_h0.png
//
// Errors.
// RUN: not spattn-compile %t/window.mlir --emit=mask-png 2>&1 | FileCheck %s --check-prefix=NO-DIR
// NO-DIR: spattn-compile: --emit=mask-png needs -o DIR
// RUN: not spattn-compile %t/window.mlir --emit=mask-png -o %t/err --length 1025 2>&1 | FileCheck %s --check-prefix=LENGTH
// RUN: not spattn-compile %t/window.mlir --emit=mask-png -o %t/err --head 4 2>&1 | FileCheck %s --check-prefix=HEAD
// RUN: not spattn-compile %t/topk.mlir --emit=mask-png -o %t/err --q %t/missing.npy --k %t/zeros.npy 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: echo "not numpy" > %t/text.npy
// RUN: not spattn-compile %t/topk.mlir --emit=mask-png -o %t/err --q %t/zeros.npy --k %t/text.npy 2>&1 | FileCheck %s --check-prefix=MAGIC
// RUN: printf '\223NUMPY\001\000\166\000%%-117s\n' "{'descr': '<f4', 'fortran_order': False, 'shape': (256, 8), }" > %t/narrow.npy
// RUN: head -c 8192 /dev/zero >> %t/narrow.npy
// RUN: not spattn-compile %t/topk.mlir --emit=mask-png -o %t/err --q %t/narrow.npy --k %t/zeros.npy 2>&1 | FileCheck %s --check-prefix=SHAPE
// RUN: not spattn-compile %t/topk.mlir --emit=mask-png -o %t/err --q %t/zeros.npy --k %t/zeros.npy --length 300 2>&1 | FileCheck %s --check-prefix=NPY-LENGTH
// RUN: not spattn-compile %t/topk.mlir --emit=mask-png -o %t/err --q %t/zeros.npy 2>&1 | FileCheck %s --check-prefix=PAIR
// No partial output: none of the failing runs created %t/err.
// RUN: not ls %t/err

//--- window.mlir
// LENGTH: window.mlir:[[@LINE+3]]:1: error: L = 1025 is outside every bucket of @window_sinks (L in [1, 1024])
// HEAD: window.mlir:[[@LINE+2]]:1: error: --head 4 is out of range: @window_sinks has 4 query heads
// HEAD-NEXT: spattn.spec @window_sinks
spattn.spec @window_sinks attributes {head_dim = 16 : i64, num_q_heads = 4 : i64, num_kv_heads = 2 : i64, dtype = f16, causal, buckets = array<i64: 256, 1024>} {
^bb0(%L: index):
  %w = spattn.budget.power %L {coeff = 4.0, exponent = 0.5}
  %c16 = arith.constant 16 : index
  %local = spattn.window %w
  %sinks = spattn.sink %c16
  %p = spattn.union %local, %sinks
  spattn.yield %p
}

//--- topk.mlir
// MISSING: topk.mlir:[[@LINE+6]]:1: error: --q {{.*}}missing.npy: cannot read: No such file or directory
// MAGIC: topk.mlir:[[@LINE+5]]:1: error: --k {{.*}}text.npy: not a .npy file (bad magic)
// SHAPE: topk.mlir:[[@LINE+4]]:1: error: --q {{.*}}narrow.npy: shape [256, 8] is not [B, 4, L, 16], [4, L, 16] or [L, 16] for @topk
// NPY-LENGTH: topk.mlir:[[@LINE+3]]:1: error: --q and --k have length 256 but --length is 300
// PAIR: topk.mlir:[[@LINE+2]]:1: error: --q and --k must be given together
// Top-4 key blocks of 32 by mean-pooled score, plus the diagonal block.
spattn.spec @topk attributes {head_dim = 16 : i64, num_q_heads = 4 : i64, num_kv_heads = 2 : i64, dtype = f16, causal, buckets = array<i64: 512>, block_q = 32 : i64, block_k = 32 : i64} {
^bb0(%L: index):
  %k = arith.constant 4 : index
  %c32 = arith.constant 32 : index
  %selected = spattn.topk_blocks %k block 32
  %diagonal = spattn.window %c32
  %p = spattn.union %selected, %diagonal
  spattn.yield %p
}
