// bench/specs/dense.mlir in bfloat16 (fp32 accumulation and LSE): a causal
// window as long as the input keeps every key j <= p(i).
spattn.spec @dense_bf16 attributes {head_dim = 128 : i64, num_q_heads = 1 : i64, num_kv_heads = 1 : i64, dtype = bf16, causal, buckets = array<i64: 1024, 4096, 16384, 65536>} {
^bb0(%L: index):
  %all = spattn.window %L
  spattn.yield %all
}
