// The example app's spec: 4 attention sinks plus a causal local window that
// grows like 4·sqrt(L), clamped to [32, 256] and rounded up to a multiple of 32
// keys (L = 100 -> 64, L = 1000 -> 128, L = 4000 -> 256). Small on purpose
// (4 query heads sharing 2 kv heads) so the app runs in well under a
// second; head_dim 64 and 64 x 64 blocks, the smallest the cuda target
// takes; three buckets, so calls of different lengths run different
// kernels. dtype f32: the cpu target takes float32, the cuda target then
// both float16 and bfloat16.
spattn.spec @window_sinks attributes {head_dim = 64 : i64, num_q_heads = 4 : i64, num_kv_heads = 2 : i64, dtype = f32, causal, block_q = 64 : i64, block_k = 64 : i64, buckets = array<i64: 512, 2048, 4096>} {
^bb0(%L: index):
  %c4 = arith.constant 4 : index
  %raw = spattn.budget.power %L {coeff = 4.0, exponent = 0.5}
  %clamped = spattn.budget.clamp %raw {min = 32, max = 256}
  %w = spattn.budget.align %clamped {multiple = 32}
  %sinks = spattn.sink %c4
  %local = spattn.window %w
  %p = spattn.union %sinks, %local
  spattn.yield %p
}
