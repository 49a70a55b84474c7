// Quest: query-aware KV-cache page selection for decoding.
//
// Reproduces Tang et al., "Quest: Query-Aware Sparsity for Efficient
// Long-Context LLM Inference" (ICML 2024). The KV cache is split into pages
// of 16 keys; each page keeps the per-channel minimum and maximum of its
// keys, which give an upper bound on q . k for any key in the page. At each
// decode step the current query scores every page by that bound and attends
// only to the top-k pages. The most recent page (the keys of the current
// step's neighbourhood) is always attended as a causal window of one page.
// Decode-oriented: the library is called with Lq = 1 and Lk = the cache
// length; the same spec is defined for any Lq (prefill then selects pages per
// query row).
//
// Budget: Quest evaluates token budgets of 256 to 4096 and recovers full
// accuracy with a budget that is a small fraction of the context. Here the
// token budget is L / 16 clamped to [128, 4096] tokens, i.e. 8 to 256 pages:
// 256 tokens (16 pages) at L = 4096, 1024 tokens (64 pages) at L = 16384 and
// 4096 tokens (256 pages) from L = 65536 on. The page count is the token
// budget divided by the page size, computed with arith.
spattn.spec @quest attributes {head_dim = 128 : i64, num_q_heads = 32 : i64, num_kv_heads = 8 : i64, dtype = f16, causal, buckets = array<i64: 4096, 16384, 65536, 131072>} {
^bb0(%L: index):
  %page = arith.constant 16 : index
  %tokens_raw = spattn.budget.fraction %L {fraction = 0.0625}
  %tokens = spattn.budget.clamp %tokens_raw {min = 128, max = 4096}
  %k = arith.divui %tokens, %page : index
  %selected = spattn.pages %k page 16
  %recent = spattn.window %page
  %p = spattn.union %selected, %recent
  spattn.yield %p
}
