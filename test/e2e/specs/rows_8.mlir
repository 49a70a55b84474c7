// Query tiles of 8 rows: the variant's full and masked kernels are the
// few-row form themselves (Q row-major, K read as it lies), with no separate
// decode kernels (targets/cpu/halide/KernelContract.h).
spattn.spec @rows_8 attributes {head_dim = 32 : i64, num_q_heads = 4 : i64, num_kv_heads = 2 : i64, dtype = f32, causal, block_q = 8 : i64, block_k = 16 : i64, buckets = array<i64: 100, 700>} {
^bb0(%L: index):
  %c3 = arith.constant 3 : index
  %raw = spattn.budget.power %L {coeff = 2.0, exponent = 0.5}
  %w = spattn.budget.clamp %raw {min = 9, max = 64}
  %sinks = spattn.sink %c3
  %local = spattn.window %w
  %p = spattn.union %sinks, %local
  spattn.yield %p
}
