// examples/specs/quest.mlir's budget with the heads of a GQA decoder (32
// query heads over 8 kv heads, D = 128, float32), for the benchmark's
// decode section: each query head keeps its own pages.
spattn.spec @gqa_quest attributes {head_dim = 128 : i64, num_q_heads = 32 : i64, num_kv_heads = 8 : i64, dtype = f32, causal, buckets = array<i64: 16384, 65536>} {
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
