// Dense causal attention shaped like a GQA decoder (32 query heads over 8
// kv heads, D = 128, float32), for the benchmark's decode section: one
// query row per head (Lq = 1) streams all of K and V once per kv head.
spattn.spec @gqa_dense attributes {head_dim = 128 : i64, num_q_heads = 32 : i64, num_kv_heads = 8 : i64, dtype = f32, causal, buckets = array<i64: 16384, 65536>} {
^bb0(%L: index):
  %all = spattn.window %L
  spattn.yield %all
}
