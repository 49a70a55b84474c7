// Tunable block top-k for all-MiniLM-L6-v2 (spattn-calibrate, see
// docs/calibrate.md and docs/budgets.md): 16-token key blocks ranked by
// mean-pooled scores per query block; each query block keeps
// coeff * L^exponent of them, plus a symmetric 16-token window.
spattn.spec @minilm_topk_blocks attributes {head_dim = 32 : i64, num_q_heads = 12 : i64, num_kv_heads = 12 : i64, dtype = f32, block_q = 16 : i64, block_k = 16 : i64, buckets = array<i64: 128, 256, 512>} {
^bb0(%L: index):
  %c16 = arith.constant 16 : index
  %k = spattn.budget.power %L {coeff = 0.75, exponent = 0.5, tune = {coeff = array<f64: 0.01, 64.0>, exponent = array<f64: 0.0, 1.0>}}
  %top = spattn.topk_blocks %k block 16
  %local = spattn.window %c16 symmetric
  %p = spattn.union %top, %local
  spattn.yield %p
}
