// The million-token test's static spec (test/scale): StreamingLLM's sinks
// plus a sliding window of 16 * sqrt(L) keys, with one kv head of 64
// dimensions so that K and V at L = 2^20 take 512 MB, and a last bucket
// that reaches the longest length a spec may serve (2^20).
spattn.spec @scale_window attributes {head_dim = 64 : i64, num_q_heads = 4 : i64, num_kv_heads = 1 : i64, dtype = f16, causal, buckets = array<i64: 65536, 1048576>} {
^bb0(%L: index):
  %c4 = arith.constant 4 : index
  %raw = spattn.budget.power %L {coeff = 16.0, exponent = 0.5}
  %w = spattn.budget.align %raw {multiple = 64}
  %sinks = spattn.sink %c4
  %local = spattn.window %w
  %p = spattn.union %sinks, %local
  spattn.yield %p
}
