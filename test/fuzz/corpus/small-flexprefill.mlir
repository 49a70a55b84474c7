spattn.spec @flexprefill attributes {head_dim = 128 : i64, num_q_heads = 16 : i64, num_kv_heads = 8 : i64, dtype = bf16, causal, block_q = 128 : i64, block_k = 128 : i64, buckets = array<i64: 64, 128>} {
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
