// examples/specs/streaming_llm.mlir (4 attention sinks plus a window of
// align(clamp(48 sqrt(L), 256, 16384), 64) recent keys) at the GPU
// benchmark's shape: 32 query heads over 8 kv heads, head_dim 128, bfloat16,
// buckets at the benchmark's lengths (32K decode, 64K prefill).
spattn.spec @streaming_gqa attributes {head_dim = 128 : i64, num_q_heads = 32 : i64, num_kv_heads = 8 : i64, dtype = bf16, causal, buckets = array<i64: 16384, 65536>} {
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
