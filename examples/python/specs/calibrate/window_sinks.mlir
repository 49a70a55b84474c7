// Tunable window + sinks for all-MiniLM-L6-v2 (spattn-calibrate, see
// docs/calibrate.md and docs/budgets.md): a symmetric local window whose
// half-width follows coeff * L^exponent, plus the [CLS] token as a global
// key and a global query. Bidirectional (BERT), so not causal.
spattn.spec @minilm_window_sinks attributes {head_dim = 32 : i64, num_q_heads = 12 : i64, num_kv_heads = 12 : i64, dtype = f32, block_q = 16 : i64, block_k = 16 : i64, buckets = array<i64: 128, 256, 512>} {
^bb0(%L: index):
  %c1 = arith.constant 1 : index
  %w = spattn.budget.power %L {coeff = 4.0, exponent = 0.5, tune = {coeff = array<f64: 0.01, 64.0>, exponent = array<f64: 0.0, 1.0>}}
  %local = spattn.window %w symmetric
  %cls_key = spattn.sink %c1
  %cls_row = spattn.global_queries %c1
  %p = spattn.union %local, %cls_key, %cls_row
  spattn.yield %p
}
