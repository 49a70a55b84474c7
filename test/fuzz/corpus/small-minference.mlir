spattn.spec @minference attributes {head_dim = 128 : i64, num_q_heads = 16 : i64, num_kv_heads = 8 : i64, dtype = bf16, causal, buckets = array<i64: 64, 128>} {
^bb0(%L: index):
  %c4 = arith.constant 4 : index
  %c64 = arith.constant 64 : index
  %c128 = arith.constant 128 : index
  %last = arith.constant 64 : index
  %aw_raw = spattn.budget.fraction %L {fraction = 0.0625}
  %aw = spattn.budget.clamp %aw_raw {min = 512, max = 4096}
  %a_sink = spattn.sink %c128
  %a_local = spattn.window %aw
  %a_shape = spattn.union %a_sink, %a_local
  %k_raw = spattn.budget.power %L {coeff = 0.25, exponent = 0.5}
  %k = spattn.budget.clamp %k_raw {min = 8, max = 256}
  %blocks = spattn.topk_blocks %k block 64
  %b_sink = spattn.sink %c4
  %b_local = spattn.window %c64
  %block_sparse = spattn.union %blocks, %b_sink, %b_local
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
