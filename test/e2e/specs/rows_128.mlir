// Query tiles of 128 rows over key tiles of 16 (spans of many short
// tiles) and a head dim that is no multiple of 16 (a partial vector of
// dims), bidirectional: global rows and columns plus a symmetric window.
spattn.spec @rows_128 attributes {head_dim = 40 : i64, num_q_heads = 2 : i64, num_kv_heads = 2 : i64, dtype = f32, block_q = 128 : i64, block_k = 16 : i64, buckets = array<i64: 200, 1000>} {
^bb0(%L: index):
  %g = arith.constant 5 : index
  %raw = spattn.budget.power %L {coeff = 3.0, exponent = 0.5}
  %w = spattn.budget.clamp %raw {min = 20, max = 200}
  %local = spattn.window %w symmetric
  %global_rows = spattn.global_queries %g
  %global_cols = spattn.sink %g
  %p = spattn.union %local, %global_rows, %global_cols
  spattn.yield %p
}
