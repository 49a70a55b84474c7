// Bucket invariance end to end: the same pattern as invariance_many.mlir
// (sinks, a window growing like 4 sqrt(L), top-k blocks), one bucket.
spattn.spec @invariance_one attributes {head_dim = 32 : i64, num_q_heads = 4 : i64, num_kv_heads = 2 : i64, dtype = f32, causal, block_q = 32 : i64, block_k = 32 : i64, buckets = array<i64: 3000>} {
^bb0(%L: index):
  %c4 = arith.constant 4 : index
  %c3 = arith.constant 3 : index
  %w = spattn.budget.power %L {coeff = 4.0, exponent = 0.5}
  %s = spattn.sink %c4
  %l = spattn.window %w
  %t = spattn.topk_blocks %c3 block 64
  %p = spattn.union %s, %l, %t
  spattn.yield %p
}
