// RUN: spattn-opt %s --spattn-specialize-buckets | FileCheck %s
// RUN: spattn-opt %s --spattn-specialize-buckets=dense-threshold=0.3 | FileCheck %s --check-prefix=LOW
// RUN: spattn-opt %s --spattn-specialize-buckets --spattn-specialize-buckets | FileCheck %s --check-prefix=TWICE

// w(L) = clamp(floor(8 sqrt(L)), 0, 256), causal.
//   bucket [1, 1024]:    w from w(1) = 8 to w(1024) = 256, not constant.
//   bucket [1025, 4096]: w(1025) = floor(256.12) -> 256 = w(4096): constant,
//                        so the variant's body uses an arith.constant and
//                        the budget chain is gone.
// Density at the low ends: L = 1 keeps its only pair (1.0, dense); L = 1025,
// w = 256: (256 * 257 / 2 + 769 * 256) / (1025 * 1026 / 2) = 0.436951,
// sparse under the default threshold 0.5, dense under 0.3.
// The spec itself stays, unchanged, before its variants.
// CHECK-LABEL: spattn.spec @clamped
// CHECK:         spattn.budget.power
// CHECK-LABEL: spattn.variant @clamped_b0 attributes {block_k = 64 : i64, block_q = 64 : i64, bucket = 0 : i64, budget_labels = ["window.size"], budget_max = array<i64: 256>, budget_min = array<i64: 8>, causal, density_low = 1.000000e+00 : f64, hi = 1024 : i64, lo = 1 : i64, spec = @clamped, strategy = "dense"}
// CHECK-NEXT:  ^bb0(%L: index):
// CHECK-NEXT:    %[[RAW:.*]] = spattn.budget.power %L {coeff = 8.000000e+00 : f64, exponent = 5.000000e-01 : f64}
// CHECK-NEXT:    %[[W:.*]] = spattn.budget.clamp %[[RAW]] {max = 256 : i64, min = 0 : i64}
// CHECK-NEXT:    %[[P:.*]] = spattn.window %[[W]]
// CHECK-NEXT:    spattn.yield %[[P]]
// CHECK-LABEL: spattn.variant @clamped_b1 attributes {block_k = 64 : i64, block_q = 64 : i64, bucket = 1 : i64, budget_labels = ["window.size"], budget_max = array<i64: 256>, budget_min = array<i64: 256>, causal, density_low = 0.43695{{[0-9]*}} : f64, hi = 4096 : i64, lo = 1025 : i64, spec = @clamped, strategy = "sparse"}
// CHECK-NEXT:  ^bb0(%L: index):
// CHECK-NEXT:    %[[C:.*]] = arith.constant 256 : index
// CHECK-NEXT:    %[[P:.*]] = spattn.window %[[C]]
// CHECK-NEXT:    spattn.yield %[[P]]
// CHECK-NEXT:  }
// LOW-LABEL:   spattn.variant @clamped_b1
// LOW-SAME:      strategy = "dense"
// TWICE:       spattn.variant @clamped_b1
// TWICE-NOT:   spattn.variant @clamped_b0
spattn.spec @clamped attributes {head_dim = 64 : i64, num_q_heads = 2 : i64, num_kv_heads = 1 : i64, dtype = f32, causal, buckets = array<i64: 1024, 4096>} {
^bb0(%L: index):
  %raw = spattn.budget.power %L {coeff = 8.0, exponent = 0.5}
  %w = spattn.budget.clamp %raw {min = 0, max = 256}
  %p = spattn.window %w
  spattn.yield %p
}

// A budget that is not monotone: its bounds come from every L of the bucket
// (L mod 10 over [1, 30] is 0 at L = 10, 9 at L = 9), not from the ends.
// Tile sizes are copied from the spec; per_head density is the mean over
// heads: at L = 1 both groups keep their only pair.
// CHECK-LABEL: spattn.variant @modulo_b0 attributes {block_k = 32 : i64, block_q = 16 : i64, bucket = 0 : i64, budget_labels = ["sink.count", "window.size"], budget_max = array<i64: 9, 4>, budget_min = array<i64: 0, 4>, density_low = 1.000000e+00 : f64, hi = 30 : i64, lo = 1 : i64, spec = @modulo, strategy = "dense"}
// CHECK:         arith.remui %L
// CHECK:         spattn.per_head
spattn.spec @modulo attributes {head_dim = 64 : i64, num_q_heads = 2 : i64, num_kv_heads = 1 : i64, dtype = f32, block_q = 16 : i64, block_k = 32 : i64, buckets = array<i64: 30>} {
^bb0(%L: index):
  %c10 = arith.constant 10 : index
  %c4 = arith.constant 4 : index
  %s = arith.remui %L, %c10 : index
  %a = spattn.sink %s
  %b = spattn.window %c4
  %p = spattn.per_head %a, %b heads [0, 1]
  spattn.yield %p
}

// -----

// Request parameters: budget bounds cover every length of the bucket and
// every request value (window = 8 * (quality + 1) for quality in [0, 3]);
// the variant keeps the spec's arguments, named after the parameters.
// CHECK-LABEL: spattn.variant @requested_b0
// CHECK-SAME:    budget_labels = ["window.size"], budget_max = array<i64: 32>, budget_min = array<i64: 8>
// CHECK-NEXT:  ^bb0(%L: index, %quality: index):
// CHECK-LABEL: spattn.variant @requested_b1
// CHECK-SAME:    budget_max = array<i64: 32>, budget_min = array<i64: 8>
spattn.spec @requested attributes {head_dim = 64 : i64, num_q_heads = 2 : i64, num_kv_heads = 1 : i64, dtype = f32, causal, buckets = array<i64: 256, 1024>, request = [{name = "quality", min = 0, max = 3}]} {
^bb0(%L: index, %quality: index):
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %steps = arith.addi %quality, %c1 : index
  %w = arith.muli %c8, %steps : index
  %p = spattn.window %w
  spattn.yield %p
}
