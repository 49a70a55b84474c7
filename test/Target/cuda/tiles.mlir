// RUN: not spattn-compile %s --target=cuda -o %t 2>&1 | FileCheck %s

// The CUDA kernels walk 64 x 64 tiles (a schedule of larger tiles, in
// multiples of 64, in steps of 64); a spec that asks for others is told so.
// CHECK: tiles.mlir:[[@LINE+1]]:1: error: the cuda target's kernels walk 64 x 64 tiles, so block_q and block_k must be multiples of 64; bucket 0 has block_q = 32, block_k = 32
spattn.spec @small_tiles attributes {head_dim = 64 : i64, num_q_heads = 1 : i64, num_kv_heads = 1 : i64, dtype = f16, block_q = 32 : i64, block_k = 32 : i64, buckets = array<i64: 256>} {
^bb0(%L: index):
  %c8 = arith.constant 8 : index
  %p = spattn.window %c8
  spattn.yield %p
}
