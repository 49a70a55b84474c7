// RUN: spattn-compile %s --emit=source --target=cuda | FileCheck %s

// Content-based selection on the device: the schedule reads each stage's
// choices from the call (blocks per query block, pages per row, columns and
// offsets), the first kernel file instantiates the selection kernels for
// the head dim, and the host file describes every stage (kind, block,
// gamma, capacity, the heads it serves) and evaluates its budgets at a call.
// CHECK: // ---- attn_fwd_cuda_content_b0_hdim64_f16.cu
// CHECK: struct Schedule {
// CHECK:   static constexpr int kNumStages = 3;
// CHECK:   using Call = spattn::core::ScheduleCall<kNumParams, kNumStages>;
// CHECK: const spattn::core::GroupedBlocks s{call.stages[0], 64, 64, spattn::core::floorDiv(call.geometry.firstPosition(), 64)};
// CHECK: const spattn::core::GroupedBlocks s{call.stages[1], 1, 16, spattn::core::floorDiv(call.geometry.firstPosition(), 1)};
// CHECK: const spattn::core::VerticalSlashIndices s{call.stages[2]};
// CHECK: #include "targets/cuda/kernels/SelectionKernels.cuh"
// CHECK: int spattn_cuda_content_cuda_select_f16(const spattn::cuda::SelectionLaunch &s, void *stream) {
// CHECK-NEXT:   return static_cast<int>(spattn::cuda::launchSelection<64, spattn::cuda::Half>(s, static_cast<cudaStream_t>(stream)));
// CHECK: // ---- cuda_content_cuda.cpp
// CHECK: const spattn::cuda::StageInfo spattn_cuda_content_cuda_b0_stages[] = {
// CHECK-NEXT:     {spattn::cuda::SelectionKind::TopkBlocks, 64, 0, 4, {3ull, 0ull, 0ull, 0ull}},
// CHECK-NEXT:     {spattn::cuda::SelectionKind::Pages, 16, 0, 64, {4ull, 0ull, 0ull, 0ull}},
// CHECK-NEXT:     {spattn::cuda::SelectionKind::VerticalSlash, 0, 0, 16, {8ull, 0ull, 0ull, 0ull}},
// CHECK: void spattn_cuda_content_cuda_b0_counts(const int64_t *params, int64_t length, int64_t (*counts)[3]) {
// CHECK:   counts[0][0] = int64_t(4);
// CHECK:   counts[1][0] = params[0];
// CHECK:   counts[2][2] = int64_t(16);
// CHECK: {&spattn_cuda_content_cuda_b0_f16, nullptr, &spattn_cuda_content_cuda_b0_tiles, false, 3, spattn_cuda_content_cuda_b0_stages, &spattn_cuda_content_cuda_b0_counts, &spattn_cuda_content_cuda_select_f16, nullptr},
// CHECK: int cuda_content_selection_cuda(
spattn.spec @cuda_content attributes {head_dim = 64 : i64, num_q_heads = 4 : i64, num_kv_heads = 2 : i64, dtype = f16, causal, buckets = array<i64: 2048>} {
^bb0(%L: index):
  %c4 = arith.constant 4 : index
  %c16 = arith.constant 16 : index
  %k = spattn.budget.fraction %L {fraction = 0.03125}
  %t = spattn.topk_blocks %c4 block 64
  %p = spattn.pages %k page 16
  %vs = spattn.vertical_slash %c16, %c16 last %c16
  %w = spattn.window %c16
  %u = spattn.union %t, %w
  %r = spattn.per_head %u, %p, %vs heads [0, 2, 3]
  spattn.yield %r
}
