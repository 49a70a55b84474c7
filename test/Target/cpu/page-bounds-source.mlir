// RUN: spattn-compile %s --emit=source --target=cpu | FileCheck %s

// A library with a pages stage (stage 1 here, after top-k blocks): the pages
// stage scores the served heads of a kv head together, from the caller's
// bounds when given (in.pageBounds[1]); the library records each stage's page
// size and has the page bounds entry points.
// CHECK-LABEL: namespace b0 {
// CHECK: static void select(
// CHECK:   spattn::abi::servedHeads(in, serves, 0, 2, stages);
// CHECK:     spattn::host::selectTopkBlocks(heads.calls[g], heads.queries[g], in.k.floats(), 64, int64_t(2), heads.results[g]->selection);
// CHECK:     static const bool serves[] = {false, true, true, true};
// CHECK-NEXT: spattn::abi::servedHeads(in, serves, 1, 2, stages);
// CHECK-NEXT: spattn::host::selectPages(in.call, heads.queries, in.k, in.pageBounds[1], 8, int64_t(3), heads.selections());
// CHECK: static const int64_t kStagePageSizes[] = {0, 8};
// CHECK: kStageKinds, kStagePageSizes,
// CHECK: int64_t page_source_page_size(int32_t stage) {
// CHECK-NEXT: return spattn::abi::pageSize(kLibrary, stage);
// CHECK: int page_source_update_page_bounds(const spattn_tensor *k, int64_t first_key, int32_t stage, spattn_tensor *bounds) {
// CHECK-NEXT: return spattn::abi::updatePageBounds(kLibrary, k, first_key, stage, bounds);
// CHECK: int page_source_attention_with_page_bounds(
// CHECK-NEXT: return spattn::abi::attention(kLibrary, kTargets, 1, q, k, v, o, lse, page_bounds, options);
// The cpu target passes the bounds to its driver.
// CHECK-LABEL: the cpu target's part
// CHECK: return spattn::cpu::attention(library, kKernels, kAccepts, q, k, v, o, lse, page_bounds,
spattn.spec @page_source attributes {head_dim = 64 : i64, num_q_heads = 4 : i64, num_kv_heads = 2 : i64, dtype = f32, causal, buckets = array<i64: 256>} {
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
