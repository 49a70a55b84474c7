spattn.spec @requested attributes {head_dim = 16 : i64, num_q_heads = 2 : i64, num_kv_heads = 1 : i64, dtype = f32, causal, block_q = 16 : i64, block_k = 16 : i64, buckets = array<i64: 64, 256>, request = [{name = "quality", min = 0, max = 3}]} {
^bb0(%L: index, %quality: index):
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %steps = arith.addi %quality, %c1 : index
  %w = arith.muli %c16, %steps : index
  %p = spattn.window %w
  %k = spattn.budget.power %L {coeff = 1.0, exponent = 0.5, tune = {coeff = array<f64: 0.05, 16.0>, exponent = array<f64: 0.0, 1.0>}}
  %t = spattn.topk_blocks %k block 16
  %u = spattn.union %p, %t
  spattn.yield %u
}
