// RUN: spattn-compile %s --emit=source --target=cpu | FileCheck %s
// RUN: rm -rf %t && spattn-compile %s --target=cpu -o %t
// RUN: FileCheck %s --check-prefix=HEADER < %t/requested.h

// A spec with a request parameter: every budget and schedule parameter gets
// one run-length table per request value (mixed radix, core/RequestSpace.h),
// here window = 8 * (quality + 1) for quality 0, 1, 2, each constant in L;
// the library records the parameter and its range for the runtime's check.
// CHECK: static const int64_t budget0Value[] = {8};
// CHECK: static const int64_t budget1Value[] = {16};
// CHECK: static const int64_t budget2Value[] = {24};
// CHECK: static const spattn::abi::LengthTable kBudgets[] = {
// CHECK-NEXT: {budget0Start, budget0Value, 1},
// CHECK-NEXT: {budget1Start, budget1Value, 1},
// CHECK-NEXT: {budget2Start, budget2Value, 1},
// CHECK-NEXT: };
// CHECK: static const char *const kRequestNames[] = {"quality", nullptr};
// CHECK: static const int64_t kRequestMin[] = {0};
// CHECK: static const int64_t kRequestMax[] = {2};
// CHECK: 1, kBudgetLabels, kBudgets, 1, kRequestNames, kRequestMin, kRequestMax};

// HEADER: /* Request parameters: every call passes, in spattn_options.request, quality in [0, 2]. */
// HEADER: int requested_budgets(int64_t length, const spattn_options *options,
spattn.spec @requested attributes {head_dim = 16 : i64, num_q_heads = 1 : i64, num_kv_heads = 1 : i64, dtype = f32, causal, block_q = 16 : i64, block_k = 16 : i64, buckets = array<i64: 64>, request = [{name = "quality", min = 0, max = 2}]} {
^bb0(%L: index, %quality: index):
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %steps = arith.addi %quality, %c1 : index
  %w = arith.muli %c8, %steps : index
  %p = spattn.window %w
  spattn.yield %p
}
