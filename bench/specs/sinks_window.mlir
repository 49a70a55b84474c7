// The >= 95%-sparse static pattern of the benchmark: 4 attention sinks and
// a causal window of 1024 keys. Kept fraction (semantics.md: of the causal
// triangle) about 3% at L = 65536, 12.5% at 16384, dense up to 1024.
spattn.spec @sinks_window attributes {head_dim = 128 : i64, num_q_heads = 1 : i64, num_kv_heads = 1 : i64, dtype = f32, causal, buckets = array<i64: 1024, 4096, 16384, 65536>} {
^bb0(%L: index):
  %c4 = arith.constant 4 : index
  %c1024 = arith.constant 1024 : index
  %sinks = spattn.sink %c4
  %local = spattn.window %c1024
  %p = spattn.union %sinks, %local
  spattn.yield %p
}
