spattn.spec @quest attributes {head_dim = 128 : i64, num_q_heads = 16 : i64, num_kv_heads = 8 : i64, dtype = f16, causal, buckets = array<i64: 64, 128>} {
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
