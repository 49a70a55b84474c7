// Dense causal attention with GQA, the library spattn.sdpa is compared
// with torch.nn.functional.scaled_dot_product_attention on.
spattn.spec @py_dense_causal attributes {head_dim = 16 : i64, num_q_heads = 4 : i64, num_kv_heads = 2 : i64, dtype = f32, causal, block_q = 16 : i64, block_k = 16 : i64, buckets = array<i64: 64, 256>} {
^bb0(%L: index):
  %p = spattn.window %L
  spattn.yield %p
}
