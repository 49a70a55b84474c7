spattn.spec @bigbird attributes {head_dim = 128 : i64, num_q_heads = 16 : i64, num_kv_heads = 8 : i64, dtype = bf16, buckets = array<i64: 64, 128>} {
^bb0(%L: index):
  %w = arith.constant 96 : index
  %g = arith.constant 128 : index
  %raw = spattn.budget.power %L {coeff = 0.05, exponent = 0.5}
  %r = spattn.budget.clamp %raw {min = 2, max = 8}
  %local = spattn.window %w symmetric
  %global_rows = spattn.global_queries %g
  %global_cols = spattn.sink %g
  %random = spattn.random_blocks %r block 64 {seed = 42 : i64}
  %p = spattn.union %local, %global_rows, %global_cols, %random
  spattn.yield %p
}
