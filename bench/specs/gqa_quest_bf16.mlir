// bench/specs/gqa_quest.mlir in bfloat16: the decode section's Quest step
// on a bf16 KV cache, its page bounds kept from the bf16 K itself.
spattn.spec @gqa_quest_bf16 attributes {head_dim = 128 : i64, num_q_heads = 32 : i64, num_kv_heads = 8 : i64, dtype = bf16, causal, buckets = array<i64: 16384, 65536>} {
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
