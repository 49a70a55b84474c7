// Sparse Transformer: the "strided" factorized attention pattern.
//
// Reproduces the strided pattern of Child et al., "Generating Long Sequences
// with Sparse Transformers" (2019): with stride l, one head attends to the
// previous l positions (window) and the other to every l-th position before
// it (strided, (p(i) - j) mod l == 0). Here the two factorized heads are
// merged into one union pattern per head, so every query reaches any earlier
// key in at most two hops of the union's halves and sees about 2 * L / l keys.
// Autoregressive, hence `causal`.
//
// Budget: the paper picks l close to sqrt(L), which makes the per-query cost
// O(sqrt(L)) and the total O(L * sqrt(L)). The budget is that formula written
// with arith and math on %L: l = max(1, floor(sqrt(L))), e.g. 64 at L = 4096,
// 128 at L = 16384, 256 at L = 65536. Window and stride share it.
spattn.spec @sparse_transformer attributes {head_dim = 128 : i64, num_q_heads = 32 : i64, num_kv_heads = 8 : i64, dtype = f16, causal, buckets = array<i64: 4096, 16384, 65536>} {
^bb0(%L: index):
  %c1 = arith.constant 1 : index
  %len = arith.index_cast %L : index to i64
  %lenf = arith.sitofp %len : i64 to f64
  %root = math.sqrt %lenf : f64
  %rooti = arith.fptosi %root : f64 to i64
  %rootx = arith.index_cast %rooti : i64 to index
  %l = arith.maxui %rootx, %c1 : index
  %local = spattn.window %l
  %strided = spattn.strided %l
  %p = spattn.union %local, %strided
  spattn.yield %p
}
