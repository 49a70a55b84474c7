spattn.spec @s attributes {head_dim = 64 : i64, num_q_heads = 1 : i64, num_kv_heads = 1 : i64, dtype = f16, buckets = array<index: 64>} {
^bb0(%L: index):
  %w = spattn.window %L
  spattn.yield %w
}
