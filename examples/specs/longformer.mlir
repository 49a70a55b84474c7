// Longformer: sliding window plus task-specific global tokens.
//
// Reproduces the encoder attention of Beltagy et al., "Longformer: The
// Long-Document Transformer" (2020). Every token attends to a symmetric
// window around itself; a few global tokens (the [CLS] token, or the question
// tokens in QA, placed first in the sequence) attend to everything and are
// attended to by everything. Global attention is symmetric, so it is two
// primitives: global_queries (the global rows see every key) and sink (every
// row sees the global keys). Bidirectional encoder, hence no `causal`.
//
// Budget: Longformer uses a fixed window (512, i.e. 256 per side) for inputs
// up to 4096. Here the half-width grows like 4 * sqrt(L), clamped to
// [64, 1024] and rounded up to 64-key blocks, so the window is 256 per side at
// L = 4096 as in the paper, narrower for short documents (which need few
// extra keys to be near-dense anyway) and wider, but sub-linearly, for
// 16K-token inputs (LED-style long documents). The 64 global tokens cover a
// question or a few summary slots and do not depend on L.
spattn.spec @longformer attributes {head_dim = 128 : i64, num_q_heads = 32 : i64, num_kv_heads = 8 : i64, dtype = bf16, buckets = array<i64: 1024, 4096, 16384>} {
^bb0(%L: index):
  %g = arith.constant 64 : index
  %raw = spattn.budget.power %L {coeff = 4.0, exponent = 0.5}
  %clamped = spattn.budget.clamp %raw {min = 64, max = 1024}
  %w = spattn.budget.align %clamped {multiple = 64}
  %local = spattn.window %w symmetric
  %global_rows = spattn.global_queries %g
  %global_cols = spattn.sink %g
  %p = spattn.union %local, %global_rows, %global_cols
  spattn.yield %p
}
