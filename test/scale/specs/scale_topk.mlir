// The million-token test's content-based spec (test/scale): block top-k
// over mean-pooled 64-key blocks (16384 candidate blocks at L = 2^20), plus
// a sink block and the diagonal block, with one kv head of 64 dimensions
// and a last bucket that reaches 2^20.
spattn.spec @scale_topk attributes {head_dim = 64 : i64, num_q_heads = 4 : i64, num_kv_heads = 1 : i64, dtype = bf16, causal, buckets = array<i64: 65536, 1048576>} {
^bb0(%L: index):
  %c64 = arith.constant 64 : index
  %raw = spattn.budget.power %L {coeff = 0.25, exponent = 0.5}
  %k = spattn.budget.clamp %raw {min = 4, max = 256}
  %selected = spattn.topk_blocks %k block 64
  %sink = spattn.sink %c64
  %diagonal = spattn.window %c64
  %p = spattn.union %selected, %sink, %diagonal
  spattn.yield %p
}
