spattn.spec @longformer attributes {head_dim = 128 : i64, num_q_heads = 16 : i64, num_kv_heads = 8 : i64, dtype = bf16, buckets = array<i64: 64, 128>} {
^bb0(%L: index):
  %g = arith.constant 64 : index
  %raw = spattn.budget.power %L {coeff = 4.0, exponent = 0.5}
  %clamped = spattn.budget.clamp %raw {min = 64, max = 1024}
  %w = spattn.budget.align %clamped {multiple = 64}
  %local = spattn.window %w symmetric
  %global_rows = spattn.global_queries %g
  %global_cols = spattn.sink %g
  %p = spattn.union %local, %global_rows, %global_cols
  spattn.yield %p
}
