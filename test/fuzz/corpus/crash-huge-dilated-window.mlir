spattn.spec @p attributes {head_dim = 64 : i64, num_q_heads = 2 : i64, num_kv_heads = 1 : i64, dtype = f16, causal, buckets = array<i64: 64>} {
^bb0(%L: index):
  %c = arith.constant 9223372036854775807 : index
  %p = spattn.dilated_window %c dilation %c
  spattn.yield %p
}
