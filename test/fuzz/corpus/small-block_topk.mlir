spattn.spec @block_topk attributes {head_dim = 128 : i64, num_q_heads = 16 : i64, num_kv_heads = 8 : i64, dtype = bf16, causal, buckets = array<i64: 64, 128>} {
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
