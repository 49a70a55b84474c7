// Tunable vertical-slash (MInference) for all-MiniLM-L6-v2
// (spattn-calibrate, see docs/calibrate.md and docs/budgets.md): the last
// 64 rows estimate the key columns and diagonals that carry the mass; keep
// the top coeff * L^exponent of each (one law for both).
spattn.spec @minilm_vertical_slash_tuned attributes {head_dim = 32 : i64, num_q_heads = 12 : i64, num_kv_heads = 12 : i64, dtype = f32, block_q = 16 : i64, block_k = 16 : i64, buckets = array<i64: 128, 256, 512>} {
^bb0(%L: index):
  %c64 = arith.constant 64 : index
  %n = spattn.budget.power %L {coeff = 3.0, exponent = 0.5, tune = {coeff = array<f64: 0.01, 64.0>, exponent = array<f64: 0.0, 1.0>}}
  %p = spattn.vertical_slash %n, %n last %c64
  spattn.yield %p
}
