// Longformer-style for all-MiniLM-L6-v2: a symmetric local window whose
// half-width grows like 4·sqrt(L) (keeps every key up to L = 64, about a
// third of them at L = 512), plus the [CLS] token as a global key and a
// global query (the sentence embedding pools every row, and [CLS] collects
// the whole input in BERT-style models).
spattn.spec @minilm_local_global attributes {head_dim = 32 : i64, num_q_heads = 12 : i64, num_kv_heads = 12 : i64, dtype = f32, block_q = 32 : i64, block_k = 32 : i64, buckets = array<i64: 128, 256, 512>} {
^bb0(%L: index):
  %c1 = arith.constant 1 : index
  %raw = spattn.budget.power %L {coeff = 4.0, exponent = 0.5}
  %w = spattn.budget.clamp %raw {min = 16, max = 512}
  %local = spattn.window %w symmetric
  %cls_key = spattn.sink %c1
  %cls_row = spattn.global_queries %c1
  %p = spattn.union %local, %cls_key, %cls_row
  spattn.yield %p
}
