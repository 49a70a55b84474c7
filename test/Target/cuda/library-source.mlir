// RUN: spattn-compile %s --emit=source --target=cuda | FileCheck %s

// The cuda target's part of a library: one CUDA file per bucket holding the
// bucket's block schedule as host+device functions and the kernel's
// explicit instantiations, then the host file with the variant table and
// the stream-ordered entry points.
// CHECK: // ---- attn_fwd_cuda_emit_b0_hdim128_bf16.cu
// CHECK: #include "targets/cuda/kernels/FlashForward.cuh"
// CHECK-LABEL: namespace spattn_cuda_emit_b0 {
// The block layout becomes constant tile tables (host and device copies).
// CHECK: SPATTN_TABLE(uint8_t, Schedule_layoutBits
// CHECK: SPATTN_TABLE(uint8_t, Schedule_layoutKinds
// CHECK: struct Schedule {
// CHECK:   static constexpr int64_t kTileQ = 64, kTileK = 64;
// Affine leaves keep their bounds in fixed fields; random_blocks its kept
// blocks in fixed slots (up to 2 per query block, one query block per tile).
// CHECK:   struct Query {
// CHECK:     int64_t lo{{[0-9]+}}, hi{{[0-9]+}}, fullLo{{[0-9]+}}, fullHi{{[0-9]+}};
// CHECK:     spattn::core::RandomChoice<2> random{{[0-9]+}}[1];
// CHECK:   SPATTN_HOST_DEVICE static Query query(const Call &call, int64_t q) {
// CHECK:     t.random{{[0-9]+}}[0] = spattn::core::chooseRandomBlocks<2>(uint64_t(7ull), call.head, t.firstBlock{{[0-9]+}} + 0, t.firstBlock{{[0-9]+}} + 0, int64_t(2));
// The union takes the nearest next tile of its children and the larger kind.
// CHECK:     return spattn::core::minOf(
// CHECK:     return TileKind(spattn::core::maxOf(
// CHECK: } // namespace spattn_cuda_emit_b0
// CHECK: int spattn_cuda_emit_cuda_b0_bf16(const spattn::cuda::AttentionLaunch &p, void *stream) {
// CHECK:   return static_cast<int>(spattn::cuda::launchAttention<spattn_cuda_emit_b0::Schedule, 128, spattn::cuda::BFloat16>(p, static_cast<cudaStream_t>(stream)));
// CHECK: int64_t spattn_cuda_emit_cuda_b0_tiles(
// CHECK: // ---- attn_fwd_cuda_emit_b1_hdim128_bf16.cu
// CHECK: // ---- cuda_emit_cuda.cpp
// CHECK: const spattn::cuda::CudaVariant kVariants[] = {
// Random blocks depend on the head: no GQA packing.
// CHECK-NEXT:     {nullptr, &spattn_cuda_emit_cuda_b0_bf16, &spattn_cuda_emit_cuda_b0_tiles, false, 1, spattn_cuda_emit_cuda_b0_stages, &spattn_cuda_emit_cuda_b0_counts, nullptr, nullptr},
// CHECK: constexpr spattn::rt::TargetAccepts kAccepts = {"cuda", 4u, SPATTN_MEMORY_CUDA};
// CHECK: extern const spattn::abi::TargetEntry spattn_cuda_emit_target_cuda = {kAccepts, &attend};
// CHECK: int cuda_emit_attention_cuda(
// CHECK: int cuda_emit_workspace_size(
spattn.spec @cuda_emit attributes {head_dim = 128 : i64, num_q_heads = 4 : i64, num_kv_heads = 2 : i64, dtype = bf16, causal, buckets = array<i64: 1024, 4096>} {
^bb0(%L: index):
  %c2 = arith.constant 2 : index
  %c128 = arith.constant 128 : index
  %w = spattn.window %c128
  %l = spattn.block_layout ["10", "11"] block 64
  %r = spattn.random_blocks %c2 block 64 {seed = 7 : i64}
  %p = spattn.union %w, %l, %r
  spattn.yield %p
}
