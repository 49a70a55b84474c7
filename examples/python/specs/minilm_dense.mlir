// all-MiniLM-L6-v2's attention as it is: bidirectional, every key (a
// symmetric window as long as the input). The baseline the sparse specs of
// this folder are compared with, and the check that a spattn library can
// stand in for the model's own attention.
spattn.spec @minilm_dense attributes {head_dim = 32 : i64, num_q_heads = 12 : i64, num_kv_heads = 12 : i64, dtype = f32, block_q = 32 : i64, block_k = 32 : i64, buckets = array<i64: 128, 256, 512>} {
^bb0(%L: index):
  %all = spattn.window %L symmetric
  spattn.yield %all
}
