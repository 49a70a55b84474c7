// The concurrency test's spec: four buckets (so that concurrent calls of
// different lengths run different variants), GQA, and every kind of state
// a call touches: host selection stages (top-k blocks, vertical-slash), a
// token predicate (its tiles cached across calls and threads), static
// spans. Small heads keep it fast under ThreadSanitizer.
spattn.spec @concurrency_mixed attributes {head_dim = 32 : i64, num_q_heads = 4 : i64, num_kv_heads = 2 : i64, dtype = f32, causal, block_q = 32 : i64, block_k = 32 : i64, buckets = array<i64: 64, 300, 1024, 4096>} {
^bb0(%L: index):
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %c16 = arith.constant 16 : index
  %c32 = arith.constant 32 : index
  %w = spattn.budget.power %L {coeff = 4.0, exponent = 0.5}
  %k = spattn.budget.clamp %w {min = 2, max = 64}
  %sinks = spattn.sink %c4
  %local = spattn.window %w
  %blocks = spattn.topk_blocks %c2 block 64
  %topk_heads = spattn.union %sinks, %local, %blocks
  %dilated = spattn.predicate (%w) {
  ^bb0(%h: index, %pos: index, %j: index, %len: index, %window: index):
    %c0 = arith.constant 0 : index
    %c3 = arith.constant 3 : index
    %d = arith.subi %pos, %j : index
    %tap = arith.remsi %d, %c3 : index
    %on = arith.cmpi eq, %tap, %c0 : index
    %near = arith.cmpi slt, %d, %window : index
    %keep = arith.andi %on, %near : i1
    spattn.predicate.yield %keep
  }
  %vs = spattn.vertical_slash %k, %c16 last %c32
  %vs_heads = spattn.union %sinks, %dilated, %vs
  %p = spattn.per_head %topk_heads, %vs_heads heads [0, 2]
  spattn.yield %p
}
