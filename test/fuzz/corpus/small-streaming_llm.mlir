spattn.spec @streaming_llm attributes {head_dim = 128 : i64, num_q_heads = 16 : i64, num_kv_heads = 8 : i64, dtype = f16, causal, buckets = array<i64: 64, 128>} {
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
