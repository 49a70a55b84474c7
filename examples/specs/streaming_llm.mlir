// StreamingLLM: attention sinks plus a sliding window of recent tokens.
//
// Reproduces Xiao et al., "Efficient Streaming Language Models with Attention
// Sinks" (ICLR 2024): every query keeps the first 4 tokens (the "attention
// sinks" that absorb the softmax mass the model has to put somewhere) and a
// window of the most recent tokens.
//
// Budget: StreamingLLM keeps a fixed-size KV cache, which is too generous for
// short prompts and too small for long ones. Here the window grows like
// 48 * sqrt(L) (sub-linearly: longer inputs tolerate more sparsity), clamped
// to [256, 16384] so short inputs stay close to dense and the cache never
// exceeds 16K recent keys, then rounded up to whole 64-key blocks:
//   L = 4096 -> 3072,  L = 16384 -> 6144,  L = 65536 -> 12288,
//   L = 131072 -> 16384 (cap).
spattn.spec @streaming_llm attributes {head_dim = 128 : i64, num_q_heads = 32 : i64, num_kv_heads = 8 : i64, dtype = f16, causal, buckets = array<i64: 4096, 16384, 65536, 131072>} {
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
