// MInference: per-head dynamic sparse prefill with A-shape, vertical-slash
// and block-sparse heads.
//
// Reproduces MInference 1.0 (Jiang et al., "MInference 1.0: Accelerating
// Pre-filling for Long-Context LLMs via Dynamic Sparse Attention", NeurIPS
// 2024). An offline search assigns every head one of three patterns; at
// prefill time the dynamic ones are estimated from the input:
//   - heads 0-3, "A-shape": attention sinks plus a local window, static;
//   - heads 4-7, "block-sparse": the top-k 64-token key blocks by the score
//     of mean-pooled query and key blocks;
//   - heads 8-31, "vertical-slash": the last 64 queries estimate attention,
//     and the top key columns (verticals) and diagonals (slashes) are kept.
// As in the MInference kernels, every dynamic head also keeps the first 4
// keys (sink verticals) and a 64-wide local band (window), whatever the
// estimate says. Head groups are multiples of 4 so that each group covers
// whole GQA groups (32 query heads read 8 kv heads). Causal prefill.
//
// Budget: MInference's published setting for 128K-token prompts is about
// 1000 verticals and 6096 slashes. The budgets here scale with L, so shorter
// prompts are not over-sparsified, and reach that setting at L = 131072:
//   verticals    = clamp(L / 128, 64, 1024)              (256 at L = 32768)
//   slashes      = align(clamp(3L / 64, 256, 8192), 64)  (1536 at L = 32768)
//   top-k blocks = clamp(0.25 * sqrt(L), 8, 256)         (45 at L = 32768)
//   A-shape window = clamp(L / 16, 512, 4096) beside 128 sinks.
spattn.spec @minference attributes {head_dim = 128 : i64, num_q_heads = 32 : i64, num_kv_heads = 8 : i64, dtype = bf16, causal, buckets = array<i64: 8192, 16384, 32768, 65536, 131072>} {
^bb0(%L: index):
  %c4 = arith.constant 4 : index
  %c64 = arith.constant 64 : index
  %c128 = arith.constant 128 : index
  %last = arith.constant 64 : index
  // A-shape heads.
  %aw_raw = spattn.budget.fraction %L {fraction = 0.0625}
  %aw = spattn.budget.clamp %aw_raw {min = 512, max = 4096}
  %a_sink = spattn.sink %c128
  %a_local = spattn.window %aw
  %a_shape = spattn.union %a_sink, %a_local
  // Block-sparse heads.
  %k_raw = spattn.budget.power %L {coeff = 0.25, exponent = 0.5}
  %k = spattn.budget.clamp %k_raw {min = 8, max = 256}
  %blocks = spattn.topk_blocks %k block 64
  %b_sink = spattn.sink %c4
  %b_local = spattn.window %c64
  %block_sparse = spattn.union %blocks, %b_sink, %b_local
  // Vertical-slash heads.
  %nv_raw = spattn.budget.fraction %L {fraction = 0.0078125}
  %nv = spattn.budget.clamp %nv_raw {min = 64, max = 1024}
  %ns_raw = spattn.budget.fraction %L {fraction = 0.046875}
  %ns_clamped = spattn.budget.clamp %ns_raw {min = 256, max = 8192}
  %ns = spattn.budget.align %ns_clamped {multiple = 64}
  %vs = spattn.vertical_slash %nv, %ns last %last
  %v_sink = spattn.sink %c4
  %v_local = spattn.window %c64
  %vertical_slash = spattn.union %vs, %v_sink, %v_local
  %p = spattn.per_head %a_shape, %block_sparse, %vertical_slash heads [0, 4, 8]
  spattn.yield %p
}
