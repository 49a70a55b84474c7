// Request parameters: a causal window that widens with `quality` and a
// top-k block selection whose count is `task` + 1, over two buckets. The
// same (L, request) must give what the reference gives, and different
// requests different results.
spattn.spec @py_request attributes {head_dim = 16 : i64, num_q_heads = 2 : i64, num_kv_heads = 1 : i64, dtype = f32, causal, block_q = 16 : i64, block_k = 16 : i64, buckets = array<i64: 64, 256>, request = [{name = "quality", min = 0, max = 3}, {name = "task", min = 0, max = 1}]} {
^bb0(%L: index, %quality: index, %task: index):
  %c1 = arith.constant 1 : index
  %base = spattn.budget.power %L {coeff = 1.0, exponent = 0.5}
  %steps = arith.addi %quality, %c1 : index
  %w = arith.muli %base, %steps : index
  %window = spattn.window %w
  %k = arith.addi %task, %c1 : index
  %top = spattn.topk_blocks %k block 16
  %p = spattn.union %window, %top
  spattn.yield %p
}
