// The dense variant of the bidirectional benchmark specs (bigbird,
// longformer): a symmetric window as long as the input keeps every key.
spattn.spec @dense_bidirectional attributes {head_dim = 128 : i64, num_q_heads = 1 : i64, num_kv_heads = 1 : i64, dtype = f32, buckets = array<i64: 1024, 4096, 16384, 65536>} {
^bb0(%L: index):
  %all = spattn.window %L symmetric
  spattn.yield %all
}
