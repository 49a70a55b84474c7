// Block top-k: content-based selection of key blocks by mean-pooled scores.
//
// Reproduces the block-selection scheme shared by MoBA (Lu et al., "MoBA:
// Mixture of Block Attention for Long-Context LLMs", 2025), the selection
// branch of NSA (Yuan et al., "Native Sparse Attention", 2025) and
// SeerAttention (Gao et al., 2024): keys are split into 64-token blocks, each
// block is summarized by its mean-pooled key, each query block by its
// mean-pooled query, and every (head, query block) attends only to the k key
// blocks with the highest pooled score. As in MoBA, the block holding the
// query itself is always attended (here: a causal window of one block), and
// as in NSA/StreamingLLM the first block is always kept (sink of one block),
// so neither the diagonal nor the attention sink depends on the estimate.
//
// Budget: k grows like sqrt(L) / 4 blocks, clamped to [4, 128]: 16 blocks
// (1024 keys, a quarter of what the last query block can see) at L = 4096,
// 45 blocks at L = 32768 and 90 blocks (5760 keys, under 5%) at L = 131072.
// Longer inputs are more redundant, so the kept fraction falls while the
// absolute number of keys still grows.
spattn.spec @block_topk attributes {head_dim = 128 : i64, num_q_heads = 32 : i64, num_kv_heads = 8 : i64, dtype = bf16, causal, buckets = array<i64: 4096, 32768, 131072>} {
^bb0(%L: index):
  %c64 = arith.constant 64 : index
  %raw = spattn.budget.power %L {coeff = 0.25, exponent = 0.5}
  %k = spattn.budget.clamp %raw {min = 4, max = 128}
  %selected = spattn.topk_blocks %k block 64
  %sink = spattn.sink %c64
  %diagonal = spattn.window %c64
  %p = spattn.union %selected, %sink, %diagonal
  spattn.yield %p
}
