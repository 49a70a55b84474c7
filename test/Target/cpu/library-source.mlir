// RUN: spattn-compile %s --emit=source --target=cpu | FileCheck %s
// RUN: not spattn-compile %s --emit=source 2>&1 | FileCheck %s --check-prefix=NOTARGET

// The C++ a library is generated from, written from the library plan. First
// the target-independent part: per bucket a namespace with the schedule
// parameters as run-length tables over L (the window is L / 4, folded by the
// compiler at every L of the bucket), the selection stages each head runs
// (top-k only for heads 2-3 of the per_head), and one ranges/keep pair per
// schedule node printed from its affine maps and integer sets; then the
// cpu target's part: its kernels and its entry.
// CHECK: #include "spattn/library_abi.hpp"
// CHECK: static_assert(spattn::abi::kLibraryAbiVersion ==
// CHECK: extern const spattn::abi::TargetEntry spattn_emit_test_target_cpu;
// CHECK-LABEL: namespace b0 {
// CHECK: static const int64_t param0Start[] = {1, 4, 8,
// CHECK: static const int64_t param0Value[] = {0, 1, 2,
// CHECK: static void select(
// CHECK:     static const bool serves[] = {false, false, true, true};
// CHECK:     const spattn::abi::ServedHeads heads = spattn::abi::servedHeads(in, serves, 0, 1, stages);
// CHECK:       spattn::host::selectTopkBlocks(heads.calls[g], heads.queries[g], in.k.floats(), 64, int64_t(2), heads.results[g]->selection);
// Sinks: touched [0, ceil(4 / 64)), full [0, 4 floordiv 64), keep j < 4.
// CHECK: static spattn::core::TileRanges ranges0(
// CHECK:   std::min<int64_t>({spattn::core::ceilDiv(int64_t(4), int64_t(64))}), spattn::core::TileKind::Partial}};
// CHECK: return ((j * int64_t(-1)) + (int64_t(4) + int64_t(-1))) >= 0;
// The window reads its budget from the table.
// CHECK: static spattn::core::TileRanges ranges1(
// CHECK:   if (!((s.params[0] + int64_t(-1)) >= 0)) return {};
// CHECK: return (pos + (j * int64_t(-1))) >= 0 && (((pos * int64_t(-1)) + (s.params[0] + int64_t(-1))) + j) >= 0;
// Its mask rows set the interval the window's constraints leave, untested
// (every constraint is linear in the key); a union sets it into its
// sibling's row (orFill), an intersection clears what lies outside it.
// CHECK: static void fill1(
// CHECK:   lo = std::max<int64_t>(lo, (((pos * int64_t(-1)) + (s.params[0] + int64_t(-1))) * int64_t(-1)));
// CHECK:   hi = std::min<int64_t>(hi, (pos + int64_t(1)));
// CHECK:   if (lo < hi)
// CHECK-NEXT:     std::fill(out + (lo - key0), out + (hi - key0), uint8_t{1});
// CHECK: static void orFill1(
// CHECK-NOT: std::fill(out, out + n
// CHECK: static void clipFill1(
// CHECK: return spattn::core::blockSelectionRanges(s.geometry, s.stages[0].groups(), 64, q);
// CHECK: return spattn::core::uniteRanges(ranges0(s, q), ranges1(s, q));
// CHECK: return keep0(s, row, pos, j) || keep1(s, row, pos, j);
// The union of sink and window fills one and sets the other into it.
// CHECK: static void fill3(
// CHECK-NEXT:   fill1(s, row, pos, key0, n, out);
// CHECK-NEXT:   orFill0(s, row, pos, key0, n, out);
// per_head routes heads 2 and up to the top-k input.
// CHECK:   if (s.head >= 2) return ranges2(s, q);
// CHECK:   if (s.head >= 0) return ranges3(s, q);
// The causal mask is intersected last.
// CHECK: return spattn::core::intersectRanges(ranges4(s, q), ranges5(s, q));
// The causal intersection clips the row to keys <= pos.
// CHECK: static void fill6(
// CHECK-NEXT:   fill4(s, row, pos, key0, n, out);
// CHECK-NEXT:   clipFill5(s, row, pos, key0, n, out);
// CHECK: static void keepRow(
// CHECK:     fill6(s, row, pos, key0 + c, std::min(kFillChunk, n - c), out + c);
// CHECK-LABEL: namespace b1 {
// CHECK: static const int64_t param0Start[] = {129, 132,
// CHECK: static const int64_t param0Value[] = {32, 33,
// The library tables: budgets, stages, variants (lengths, tiles, schedule).
// CHECK: static const char *const kBudgetLabels[] = {"sink.count", "window.size", "topk_blocks.count", nullptr};
// CHECK: static const spattn::abi::StageKind kStageKinds[] = {spattn::abi::StageKind::TopkBlocks,
// CHECK: static const int64_t kStagePageSizes[] = {0};
// CHECK: {1, 128, 64, 64, 1, b0::kParams, &b0::select, &b0::ranges6, &b0::keepRow, nullptr},
// CHECK: {129, 1024, 64, 64, 1, b1::kParams, &b1::select, &b1::ranges6, &b1::keepRow, nullptr},
// CHECK: const spattn::abi::Library spattn_emit_test_library = {spattn::abi::kLibraryAbiVersion, "emit_test", 64, 4, 2, true, 0.125, 2, spattn_emit_test_variants, kUpperBounds, 1, kStageKinds, kStagePageSizes, 3, kBudgetLabels, kBudgets, 0, kRequestNames, kRequestMin, kRequestMax};
// CHECK: int emit_test_attention(
// CHECK-NEXT: return spattn::abi::attention(kLibrary, kTargets, 1, q, k, v, o, lse, nullptr, options);
// CHECK: int emit_test_selection(
// Page bounds entry points only in libraries with a pages stage.
// CHECK-NOT: page_bounds(
// CHECK-LABEL: the cpu target's part
// The cpu target's part: the plan's kernels per variant (span, full, masked,
// few rows, their few-row forms; no AMX or 16-bit versions for f32) behind
// its entry.
// CHECK: #include "emit_test_b0_full.h"
// CHECK: #include "emit_test_b0_masked_few.h"
// CHECK: #include "emit_test_b1_full.h"
// CHECK: {128, &emit_test_b0_full, &emit_test_b0_masked, 4, &emit_test_b0_full_few, &emit_test_b0_masked_few, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr},
// CHECK: {512, &emit_test_b1_full,
// CHECK: constexpr spattn::rt::TargetAccepts kAccepts = spattn::cpu::cpuAccepts(SPATTN_F32);
// CHECK: extern const spattn::abi::TargetEntry spattn_emit_test_target_cpu = {kAccepts, &attend};

// NOTARGET: spattn-compile: --emit=source needs --target
spattn.spec @emit_test attributes {head_dim = 64 : i64, num_q_heads = 4 : i64, num_kv_heads = 2 : i64, dtype = f32, causal, buckets = array<i64: 128, 1024>} {
^bb0(%L: index):
  %c4 = arith.constant 4 : index
  %c2 = arith.constant 2 : index
  %w = spattn.budget.fraction %L {fraction = 0.25}
  %s = spattn.sink %c4
  %l = spattn.window %w
  %t = spattn.topk_blocks %c2 block 64
  %u = spattn.union %s, %l
  %p = spattn.per_head %u, %t heads [0, 2]
  spattn.yield %p
}
