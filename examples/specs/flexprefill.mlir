// FlexPrefill: input-adaptive block selection by cumulative attention mass.
//
// Reproduces the query-aware block selection of Lai et al., "FlexPrefill: A
// Context-Aware Sparse Attention Mechanism for Efficient Long-Sequence
// Inference" (ICLR 2025): per (head, query block of 128 queries), candidate
// key blocks are ranked by the estimated softmax mass of their pooled scores,
// and the fewest blocks whose cumulative mass reaches gamma = 0.9 are kept.
// The number of kept blocks is therefore decided by the input itself (a
// peaked head keeps few, a flat head many); the spec only bounds it. Like
// FlexPrefill's kernels, the first block (sinks) and the diagonal block
// (local context) are always computed. Causal prefill.
//
// Budget: the cap max_blocks bounds the worst-case cost per query block. It
// is a fraction of the block count, L / 128 / 8 (one eighth of the
// candidates of the last query block), clamped to [4, 256]: 4 blocks up to
// L = 4096, 8 at L = 8192, 32 at L = 32768, 128 at L = 131072. gamma stays fixed: the
// fraction of mass to recover is a quality target, not a length-dependent
// cost.
spattn.spec @flexprefill attributes {head_dim = 128 : i64, num_q_heads = 32 : i64, num_kv_heads = 8 : i64, dtype = bf16, causal, block_q = 128 : i64, block_k = 128 : i64, buckets = array<i64: 8192, 32768, 131072>} {
^bb0(%L: index):
  %c128 = arith.constant 128 : index
  %cap_raw = spattn.budget.fraction %L {fraction = 0.0009765625}
  %cap = spattn.budget.clamp %cap_raw {min = 4, max = 256}
  %selected = spattn.mass %cap gamma 0.9 block 128
  %sink = spattn.sink %c128
  %diagonal = spattn.window %c128
  %p = spattn.union %selected, %sink, %diagonal
  spattn.yield %p
}
