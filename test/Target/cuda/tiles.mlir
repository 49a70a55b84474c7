// RUN: not spattn-compile %s --target=cuda -o %t 2>&1 | FileCheck %s

// The CUDA kernels run 64 x 64 tiles; a spec that asks for others is told so.
// CHECK: tiles.mlir:[[@LINE+1]]:1: error: the cuda target's kernels use 64 x 64 tiles; bucket 0 has block_q = 128, block_k = 128
spattn.spec @big_tiles attributes {head_dim = 64 : i64, num_q_heads = 1 : i64, num_kv_heads = 1 : i64, dtype = f16, block_q = 128 : i64, block_k = 128 : i64, buckets = array<i64: 256>} {
^bb0(%L: index):
  %c8 = arith.constant 8 : index
  %p = spattn.window %c8
  spattn.yield %p
}
