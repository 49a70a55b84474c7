spattn.spec @sparse_transformer attributes {head_dim = 128 : i64, num_q_heads = 16 : i64, num_kv_heads = 8 : i64, dtype = f16, causal, buckets = array<i64: 64, 128>} {
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
