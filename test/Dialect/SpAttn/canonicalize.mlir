// RUN: spattn-opt %s -canonicalize -split-input-file | FileCheck %s

// Budget helpers fold once their input is a constant, and a budget that folds
// to 0 is still a valid spec (a budget of 0 keeps nothing).

// CHECK-LABEL: spattn.spec @zero_budget_folds
// CHECK:         %[[C0:.*]] = arith.constant 0 : index
// CHECK:         spattn.window %[[C0]]
// CHECK-NOT:     spattn.budget
spattn.spec @zero_budget_folds attributes {head_dim = 64 : i64, num_q_heads = 1 : i64, num_kv_heads = 1 : i64, dtype = f32, buckets = array<i64: 64>} {
^bb0(%L: index):
  %c1 = arith.constant 1 : index
  %h = spattn.budget.fraction %c1 {fraction = 0.5 : f64}
  %w = spattn.window %h
  spattn.yield %w
}

// -----

// power(100) = floor(3 * 100^0.5) = 30; align to 16 -> 32; clamp [0, 24] -> 24.
// CHECK-LABEL: spattn.spec @chain_folds
// CHECK:         %[[C24:.*]] = arith.constant 24 : index
// CHECK:         spattn.sink %[[C24]]
spattn.spec @chain_folds attributes {head_dim = 64 : i64, num_q_heads = 1 : i64, num_kv_heads = 1 : i64, dtype = f32, buckets = array<i64: 64>} {
^bb0(%L: index):
  %c100 = arith.constant 100 : index
  %p = spattn.budget.power %c100 {coeff = 3.0 : f64, exponent = 0.5 : f64}
  %a = spattn.budget.align %p {multiple = 16 : i64}
  %c = spattn.budget.clamp %a {min = 0 : i64, max = 24 : i64}
  %s = spattn.sink %c
  spattn.yield %s
}

// -----

// clamp accepts a negative input: "keys after the first 1024", clamped at 0.
// CHECK-LABEL: spattn.spec @clamp_negative_input
// CHECK:         %[[C0:.*]] = arith.constant 0 : index
// CHECK:         spattn.window %[[C0]]
spattn.spec @clamp_negative_input attributes {head_dim = 64 : i64, num_q_heads = 1 : i64, num_kv_heads = 1 : i64, dtype = f32, buckets = array<i64: 64>} {
^bb0(%L: index):
  %c = arith.constant -1000 : index
  %w0 = spattn.budget.clamp %c {min = 0 : i64, max = 64 : i64}
  %w = spattn.window %w0
  spattn.yield %w
}

// -----

// The budget still depends on %L: nothing folds.
// CHECK-LABEL: spattn.spec @depends_on_length
// CHECK:         spattn.budget.power %L
spattn.spec @depends_on_length attributes {head_dim = 64 : i64, num_q_heads = 1 : i64, num_kv_heads = 1 : i64, dtype = f32, buckets = array<i64: 64>} {
^bb0(%L: index):
  %w0 = spattn.budget.power %L {coeff = 3.0 : f64, exponent = 0.5 : f64}
  %w = spattn.window %w0
  spattn.yield %w
}
