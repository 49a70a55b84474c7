// examples/specs/streaming_llm.mlir for the benchmark: one query head over
// one kv head, float32, buckets at the benchmark's lengths; same budget.
spattn.spec @streaming_llm attributes {head_dim = 128 : i64, num_q_heads = 1 : i64, num_kv_heads = 1 : i64, dtype = f32, causal, buckets = array<i64: 1024, 4096, 16384, 65536>} {
^bb0(%L: index):
  %c4 = arith.constant 4 : index
  %raw = spattn.budget.power %L {coeff = 48.0, exponent = 0.5}
  %clamped = spattn.budget.clamp %raw {min = 256, max = 16384}
  %w = spattn.budget.align %clamped {multiple = 64}
  %sinks = spattn.sink %c4
  %local = spattn.window %w
  %p = spattn.union %sinks, %local
  spattn.yield %p
}
