// RUN: not spattn-compile %s --target=cuda -o %t 2>&1 | FileCheck %s
// RUN: not ls %t

// A selection block holds the scores of every candidate in shared memory:
// pages of 2 keys at L = 131072 would need 256 KiB, more than any GPU grants
// a block, so the spec is refused with a located error that says so.
// CHECK: selection-limits.mlir:[[@LINE+1]]:1: error: bucket 0's Pages selection would need {{[0-9]+}} bytes of shared memory per block at L = 131072; the cuda target has 163840 (use a larger block or page, or shorter buckets)
spattn.spec @tiny_pages attributes {head_dim = 64 : i64, num_q_heads = 2 : i64, num_kv_heads = 1 : i64, dtype = f16, causal, buckets = array<i64: 131072>} {
^bb0(%L: index):
  %c8 = arith.constant 8 : index
  %p = spattn.pages %c8 page 2
  spattn.yield %p
}
