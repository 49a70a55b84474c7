// RUN: spattn-opt %s -split-input-file --spattn-specialize-buckets -verify-diagnostics

// A budget must be valid at every L of every bucket: 100 - L is negative from
// L = 101 on, inside the bucket [1, 200]. The error points at the consumer.
spattn.spec @negative attributes {head_dim = 64 : i64, num_q_heads = 1 : i64, num_kv_heads = 1 : i64, dtype = f32, buckets = array<i64: 200>} {
^bb0(%L: index):
  %c100 = arith.constant 100 : index
  %w = arith.subi %c100, %L : index
  // expected-error@+1 {{a parameter evaluates to -1 at L = 101; it must be >= 0}}
  %p = spattn.window %w
  spattn.yield %p
}

// -----

// A stride computed from L reaches 0 at L = 1 (L / 2).
spattn.spec @zero_stride attributes {head_dim = 64 : i64, num_q_heads = 1 : i64, num_kv_heads = 1 : i64, dtype = f32, buckets = array<i64: 64>} {
^bb0(%L: index):
  %c2 = arith.constant 2 : index
  %t = arith.divui %L, %c2 : index
  // expected-error@+1 {{a parameter evaluates to 0 at L = 1; it must be >= 1}}
  %p = spattn.strided %t
  spattn.yield %p
}

// -----

// A budget that does not fold (division by zero) is located at its op.
spattn.spec @no_fold attributes {head_dim = 64 : i64, num_q_heads = 1 : i64, num_kv_heads = 1 : i64, dtype = f32, buckets = array<i64: 64>} {
^bb0(%L: index):
  %c0 = arith.constant 0 : index
  // expected-error@+1 {{cannot be evaluated at L = 1}}
  %w = arith.divui %L, %c0 : index
  %p = spattn.window %w
  spattn.yield %p
}
