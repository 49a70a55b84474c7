// Query tiles of 16 rows: the smallest tile whose kernels keep query rows in
// vector lanes (one AVX-512 vector, Q passed transposed), beside 4-row
// decode kernels; a strided pattern makes partial spans of every form.
spattn.spec @rows_16 attributes {head_dim = 64 : i64, num_q_heads = 2 : i64, num_kv_heads = 1 : i64, dtype = f32, causal, block_q = 16 : i64, block_k = 32 : i64, buckets = array<i64: 300, 1500>} {
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
