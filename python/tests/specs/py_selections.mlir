// Content-based stages the Python selections are read from: top-k key
// blocks (stage 0) for query heads 0-1, pages (stage 1) plus a window for
// heads 2-3, so each stage serves only some heads.
spattn.spec @py_selections attributes {head_dim = 16 : i64, num_q_heads = 4 : i64, num_kv_heads = 2 : i64, dtype = f32, causal, block_q = 16 : i64, block_k = 16 : i64, buckets = array<i64: 64, 256>} {
^bb0(%L: index):
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c8 = arith.constant 8 : index
  %topk = spattn.topk_blocks %c2 block 16
  %pages = spattn.pages %c3 page 8
  %recent = spattn.window %c8
  %quest = spattn.union %pages, %recent
  %p = spattn.per_head %topk, %quest heads [0, 2]
  spattn.yield %p
}
