// RUN: not spattn-compile %s --target=cuda -o %t 2>&1 | FileCheck %s
// RUN: not ls %t

// What the cuda target does not take is a located error, and nothing is
// written: here a head_dim without a kernel.
// CHECK: unsupported.mlir:[[@LINE+1]]:1: error: the cuda target takes head_dim 64, 128 or 256, not 32
spattn.spec @small_head attributes {head_dim = 32 : i64, num_q_heads = 1 : i64, num_kv_heads = 1 : i64, dtype = f16, buckets = array<i64: 256>} {
^bb0(%L: index):
  %c8 = arith.constant 8 : index
  %p = spattn.window %c8
  spattn.yield %p
}
