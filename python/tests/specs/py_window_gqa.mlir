// Causal GQA (4 query heads on 2 kv heads): 2 sinks plus a window growing
// like 3·sqrt(L), in two buckets, with 16-token blocks so that lengths off
// the block grid occur.
spattn.spec @py_window_gqa attributes {head_dim = 16 : i64, num_q_heads = 4 : i64, num_kv_heads = 2 : i64, dtype = f32, causal, block_q = 16 : i64, block_k = 16 : i64, buckets = array<i64: 64, 256>} {
^bb0(%L: index):
  %c2 = arith.constant 2 : index
  %raw = spattn.budget.power %L {coeff = 3.0, exponent = 0.5}
  %w = spattn.budget.clamp %raw {min = 4, max = 256}
  %sinks = spattn.sink %c2
  %local = spattn.window %w
  %p = spattn.union %sinks, %local
  spattn.yield %p
}
