// bench/specs/gqa_dense.mlir in bfloat16: the decode section's dense step
// on a bf16 KV cache (K and V half the bytes of float32 ones).
spattn.spec @gqa_dense_bf16 attributes {head_dim = 128 : i64, num_q_heads = 32 : i64, num_kv_heads = 8 : i64, dtype = bf16, causal, buckets = array<i64: 16384, 65536>} {
^bb0(%L: index):
  %all = spattn.window %L
  spattn.yield %all
}
