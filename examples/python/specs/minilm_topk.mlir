// Block top-k (MoBA / NSA selection) for all-MiniLM-L6-v2: 16-token key
// blocks ranked by mean-pooled scores per query block; each query block
// keeps floor(0.75·sqrt(L)) of them (every block up to L = 64, 16 of 32 at
// L = 512), plus a symmetric 16-token window so its own neighbourhood
// never depends on the estimate.
spattn.spec @minilm_topk attributes {head_dim = 32 : i64, num_q_heads = 12 : i64, num_kv_heads = 12 : i64, dtype = f32, block_q = 16 : i64, block_k = 16 : i64, buckets = array<i64: 128, 256, 512>} {
^bb0(%L: index):
  %c16 = arith.constant 16 : index
  %raw = spattn.budget.power %L {coeff = 0.75, exponent = 0.5}
  %k = spattn.budget.clamp %raw {min = 2, max = 32}
  %top = spattn.topk_blocks %k block 16
  %local = spattn.window %c16 symmetric
  %p = spattn.union %top, %local
  spattn.yield %p
}
