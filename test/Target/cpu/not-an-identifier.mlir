// RUN: not spattn-compile %s --target=cpu -o %t 2>&1 | FileCheck %s
// RUN: not ls %t

// The library's C functions are named after the spec: it must be a C
// identifier. Nothing is written.
// CHECK: not-an-identifier.mlir:[[@LINE+1]]:1: error: a library needs a spec name that is a C identifier, got @my-spec
spattn.spec @"my-spec" attributes {head_dim = 16 : i64, num_q_heads = 1 : i64, num_kv_heads = 1 : i64, dtype = f32, buckets = array<i64: 64>} {
^bb0(%L: index):
  %c8 = arith.constant 8 : index
  %p = spattn.window %c8
  spattn.yield %p
}
