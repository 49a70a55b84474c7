// Dense causal attention at the GPU benchmark's shape: 32 query heads over
// 8 kv heads, head_dim 128, bfloat16. The benchmark runs it at 16K (prefill
// against torch SDPA's flash backend), 64K (the baseline of streaming_gqa)
// and 32K decode; a causal window as long as the input keeps every key.
spattn.spec @dense_gqa attributes {head_dim = 128 : i64, num_q_heads = 32 : i64, num_kv_heads = 8 : i64, dtype = bf16, causal, buckets = array<i64: 16384, 65536>} {
^bb0(%L: index):
  %all = spattn.window %L
  spattn.yield %all
}
