// A strided class and a symmetric window without the causal mask: each
// class keeps all its keys, before and after the row. t grows like
// 0.5 sqrt(L): the classes run apart in prefills from L = 144, and the
// schedule runs whole below that and in short chunks.
spattn.spec @residue_bidirectional attributes {head_dim = 32 : i64, num_q_heads = 2 : i64, num_kv_heads = 1 : i64, dtype = f32, block_q = 32 : i64, block_k = 32 : i64, buckets = array<i64: 64, 700, 2048>} {
^bb0(%L: index):
  %c9 = arith.constant 9 : index
  %raw = spattn.budget.power %L {coeff = 0.5, exponent = 0.5}
  %t = spattn.budget.clamp %raw {min = 1, max = 4096}
  %local = spattn.window %c9 symmetric
  %strided = spattn.strided %t
  %p = spattn.union %strided, %local
  spattn.yield %p
}
