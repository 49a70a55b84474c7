// examples/specs/block_topk.mlir for the benchmark: one query head over one
// kv head, float32, buckets at the benchmark's lengths; same budget.
spattn.spec @block_topk attributes {head_dim = 128 : i64, num_q_heads = 1 : i64, num_kv_heads = 1 : i64, dtype = f32, causal, buckets = array<i64: 1024, 4096, 16384, 65536>} {
^bb0(%L: index):
  %c64 = arith.constant 64 : index
  %raw = spattn.budget.power %L {coeff = 0.25, exponent = 0.5}
  %k = spattn.budget.clamp %raw {min = 4, max = 128}
  %selected = spattn.topk_blocks %k block 64
  %sink = spattn.sink %c64
  %diagonal = spattn.window %c64
  %p = spattn.union %selected, %sink, %diagonal
  spattn.yield %p
}
