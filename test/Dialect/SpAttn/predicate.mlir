// RUN: spattn-opt %s | FileCheck %s
// RUN: spattn-opt %s | spattn-opt | FileCheck %s
// RUN: spattn-opt %s --mlir-print-op-generic | spattn-opt | FileCheck %s

// spattn.predicate round-trips with its region (h, p(i), j, L, then one
// index per budget operand) and composes with every combinator; the
// lowered fallback, spattn.blocks.predicate, round-trips too.

// CHECK-LABEL: spattn.spec @segments
// CHECK:         %[[W:.*]] = spattn.budget.power %L
// CHECK:         %[[P:.*]] = spattn.predicate(%[[W]]) {
// CHECK-NEXT:    ^bb0(%[[H:.*]]: index, %[[POS:.*]]: index, %[[J:.*]]: index, %[[LEN:.*]]: index, %[[WIN:.*]]: index):
// CHECK:           %[[D:.*]] = arith.subi %[[POS]], %[[J]] : index
// CHECK:           %[[NEAR:.*]] = arith.cmpi ult, %[[D]], %[[WIN]] : index
// CHECK:           %[[KEEP:.*]] = arith.ori %[[NEAR]], %{{.*}} : i1
// CHECK:           spattn.predicate.yield %[[KEEP]]
// CHECK:         }
// CHECK:         %[[S:.*]] = spattn.sink
// CHECK:         spattn.union %[[S]], %[[P]]
spattn.spec @segments attributes {head_dim = 64 : i64, num_q_heads = 2 : i64, num_kv_heads = 1 : i64, dtype = f32, causal, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %c4 = arith.constant 4 : index
  %w = spattn.budget.power %L {coeff = 4.0, exponent = 0.5}
  %p = spattn.predicate (%w) {
  ^bb0(%h: index, %pos: index, %j: index, %len: index, %win: index):
    %c256 = arith.constant 256 : index
    %d = arith.subi %pos, %j : index
    %near = arith.cmpi ult, %d, %win : index
    %a = arith.floordivsi %pos, %c256 : index
    %b = arith.floordivsi %j, %c256 : index
    %same = arith.cmpi eq, %a, %b : index
    %keep = arith.ori %near, %same : i1
    spattn.predicate.yield %keep
  }
  %s = spattn.sink %c4
  %u = spattn.union %s, %p
  spattn.yield %u
}

// CHECK-LABEL: spattn.variant @fallback_b0
// CHECK:         spattn.blocks.predicate() {
// CHECK:           spattn.predicate.yield
spattn.variant @fallback_b0 attributes {spec = @fallback, bucket = 0 : i64, lo = 1 : i64, hi = 64 : i64, strategy = "dense", density_low = 1.0 : f64, budget_labels = [], budget_min = array<i64>, budget_max = array<i64>, block_q = 64 : i64, block_k = 64 : i64} {
^bb0(%L: index):
  %b = spattn.blocks.predicate () {
  ^bb0(%h: index, %pos: index, %j: index, %len: index):
    %odd = arith.cmpi ne, %h, %pos : index
    spattn.predicate.yield %odd
  }
  spattn.yield %b : !spattn.blocks
}
