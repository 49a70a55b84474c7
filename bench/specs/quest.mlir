// examples/specs/quest.mlir for the benchmark: one query head over one kv
// head, float32, buckets at the benchmark's lengths; same budget. Quest
// selects pages per query row for decoding, so the benchmark calls it with
// Lq = 1.
spattn.spec @quest attributes {head_dim = 128 : i64, num_q_heads = 1 : i64, num_kv_heads = 1 : i64, dtype = f32, causal, buckets = array<i64: 1024, 4096, 16384, 65536>} {
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
