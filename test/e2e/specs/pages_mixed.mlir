// Page bounds kept by the caller where stages, GQA groups and served heads
// do not line up: top-k blocks (stage 0) for query head 0, pages (stage 1)
// plus a window for heads 1-3, so kv head 0's pages stage serves one of its
// two query heads.
spattn.spec @pages_mixed attributes {head_dim = 64 : i64, num_q_heads = 4 : i64, num_kv_heads = 2 : i64, dtype = f32, causal, block_q = 32 : i64, block_k = 32 : i64, buckets = array<i64: 256, 2048>} {
^bb0(%L: index):
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c8 = arith.constant 8 : index
  %topk = spattn.topk_blocks %c2 block 64
  %pages = spattn.pages %c3 page 8
  %recent = spattn.window %c8
  %quest = spattn.union %pages, %recent
  %p = spattn.per_head %topk, %quest heads [0, 1]
  spattn.yield %p
}
