// spattn-calibrate's data: --match selects files; data that does not fit
// the spec, and targets no setting within the bounds meets, are errors
// naming the file, or the group and the length (exit 1).
//
// RUN: rm -rf %t && split-file --leading-lines %s %t
// RUN: spattn-calibrate --make-planted %t/data --planted-laws 2:0.5,2:0.5 --planted-lengths 16,32 --planted-head-dim 32
//
// RUN: spattn-calibrate %t/window.mlir --data %t/data --match L16_,L99_ --recall 0.99 | FileCheck %s --check-prefix=MATCH
// MATCH: Data: 2 files from {{.*}}data matching L16_,L99_, 2 at L 16 (samples).
// MATCH-NOT: | 32 |
//
// RUN: not spattn-calibrate %t/wide.mlir --data %t/data --recall 0.9 2>&1 | FileCheck %s --check-prefix=SHAPE
// SHAPE: spattn-calibrate: {{.*}}L16_planted0_q.npy: shape [2, 16, 32], expected [2, 16, 64] (num_q_heads = 2, L = 16 from the name, head_dim = 64 of @wide)
//
// RUN: not spattn-calibrate %t/short.mlir --data %t/data --recall 0.9 2>&1 | FileCheck %s --check-prefix=BUCKET
// BUCKET: spattn-calibrate: the data holds L = 32, above the last bucket of @short (16)
//
// RUN: not spattn-calibrate %t/bounded.mlir --data %t/data --recall 0.99 2>&1 | FileCheck %s --check-prefix=BOUNDS
// BOUNDS: spattn-calibrate: heads 0-1: recall 0.{{[0-9]+}} < 0.99 at L = 32 even at the upper bounds; raise the upper bounds of its tunables
//
// RUN: rm %t/data/L32_planted1_k.npy
// RUN: not spattn-calibrate %t/window.mlir --data %t/data --recall 0.9 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: spattn-calibrate: {{.*}}L32_planted1_k.npy: missing (needed beside L32_planted1_q.npy)
//
// RUN: echo garbage > %t/data/L16_planted0_k.npy
// RUN: not spattn-calibrate %t/window.mlir --data %t/data --match L16 --recall 0.9 2>&1 | FileCheck %s --check-prefix=BAD
// BAD: spattn-calibrate: {{.*}}L16_planted0_k.npy: {{.*}}

//--- window.mlir
spattn.spec @window attributes {head_dim = 32 : i64, num_q_heads = 2 : i64, num_kv_heads = 2 : i64, dtype = f32, causal, buckets = array<i64: 32>} {
^bb0(%L: index):
  %w = spattn.budget.power %L {coeff = 1.0, exponent = 0.5, tune = {coeff = array<f64: 0.05, 16.0>, exponent = array<f64: 0.0, 1.0>}}
  %p = spattn.window %w
  spattn.yield %p
}

//--- wide.mlir
spattn.spec @wide attributes {head_dim = 64 : i64, num_q_heads = 2 : i64, num_kv_heads = 2 : i64, dtype = f32, causal, buckets = array<i64: 32>} {
^bb0(%L: index):
  %w = spattn.budget.power %L {coeff = 1.0, exponent = 0.5, tune = {coeff = array<f64: 0.05, 16.0>}}
  %p = spattn.window %w
  spattn.yield %p
}

//--- short.mlir
spattn.spec @short attributes {head_dim = 32 : i64, num_q_heads = 2 : i64, num_kv_heads = 2 : i64, dtype = f32, causal, buckets = array<i64: 16>} {
^bb0(%L: index):
  %w = spattn.budget.power %L {coeff = 1.0, exponent = 0.5, tune = {coeff = array<f64: 0.05, 16.0>}}
  %p = spattn.window %w
  spattn.yield %p
}

//--- bounded.mlir
// The planted window is 2 * sqrt(L); coeff may not exceed 1.
spattn.spec @bounded attributes {head_dim = 32 : i64, num_q_heads = 2 : i64, num_kv_heads = 2 : i64, dtype = f32, causal, buckets = array<i64: 32>} {
^bb0(%L: index):
  %w = spattn.budget.power %L {coeff = 1.0, exponent = 0.5, tune = {coeff = array<f64: 0.05, 1.0>}}
  %p = spattn.window %w
  spattn.yield %p
}
