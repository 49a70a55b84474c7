//===- SelectionKernels.cuh - The selection stages as CUDA kernels -*- CUDA -*-===//
//
// One kernel per step of SelectionStages.h, each CUDA block one team on one
// work item (grid x), query or kv head (grid y) and batch element (grid z),
// and launchSelection, which enqueues one stage's steps on a stream. They
// write the stage's choices into its StageBuffer, which the attend kernel,
// launched next on the same stream, reads: no host synchronization between
// estimate, select and attend.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_TARGETS_CUDA_KERNELS_SELECTIONKERNELS_CUH
#define SPATTN_TARGETS_CUDA_KERNELS_SELECTIONKERNELS_CUH

#include "targets/cuda/kernels/SelectionStages.h"

#include <cuda_runtime.h>

namespace spattn::cuda {

/// The threads of one CUDA block as a selection team.
struct BlockTeam {
  __device__ int rank() const { return static_cast<int>(threadIdx.x); }
  __device__ int size() const { return static_cast<int>(blockDim.x); }
  __device__ void sync() const { __syncthreads(); }
  __device__ int add(int32_t *at, int32_t value) const { return atomicAdd(at, value); }
};

template <int D, typename T>
__global__ void __launch_bounds__(kSelectionThreads) poolKernel(const SelectionLaunch s,
                                                                bool keys) {
  poolRows<D, T>(BlockTeam{}, s, keys, blockIdx.x, blockIdx.y, blockIdx.z);
}

template <int D>
__global__ void __launch_bounds__(kSelectionThreads) selectBlocksKernel(const SelectionLaunch s) {
  extern __shared__ __align__(16) unsigned char selectionShared[];
  selectBlocks<D>(BlockTeam{}, s, blockIdx.x, blockIdx.y, blockIdx.z, selectionShared);
}

template <int D, typename T>
__global__ void __launch_bounds__(kSelectionThreads) pageBoundsKernel(const SelectionLaunch s) {
  pageBounds<D, T>(BlockTeam{}, s, s.firstPage + blockIdx.x, blockIdx.y, blockIdx.z);
}

template <int D, typename T>
__global__ void __launch_bounds__(kSelectionThreads) selectPagesKernel(const SelectionLaunch s) {
  extern __shared__ __align__(16) unsigned char selectionShared[];
  selectPages<D, T>(BlockTeam{}, s, blockIdx.x, blockIdx.y, blockIdx.z, selectionShared);
}

template <int D, typename T>
__global__ void __launch_bounds__(kSelectionThreads) slashRowStatsKernel(const SelectionLaunch s) {
  extern __shared__ __align__(16) unsigned char selectionShared[];
  slashRowStats<D, T>(BlockTeam{}, s, blockIdx.x, blockIdx.y, blockIdx.z, selectionShared);
}

template <int D, typename T>
__global__ void __launch_bounds__(kSelectionThreads) slashColumnsKernel(const SelectionLaunch s) {
  extern __shared__ __align__(16) unsigned char selectionShared[];
  slashColumns<D, T>(BlockTeam{}, s, blockIdx.x, blockIdx.y, blockIdx.z, selectionShared);
}

__global__ void __launch_bounds__(kSelectionThreads) slashOffsetsKernel(const SelectionLaunch s) {
  slashOffsets(BlockTeam{}, s, blockIdx.x, blockIdx.y, blockIdx.z);
}

__global__ void __launch_bounds__(kSelectionThreads) selectSlashKernel(const SelectionLaunch s) {
  extern __shared__ __align__(16) unsigned char selectionShared[];
  selectSlash(BlockTeam{}, s, blockIdx.x, blockIdx.y, blockIdx.z, selectionShared);
}

/// Launches `kernel` on a grid of `items` x `heads` x `batch` blocks, with
/// `shared` bytes of dynamic shared memory (opting in above 48 KiB); an
/// empty grid launches nothing.
template <typename... Params, typename... Args>
cudaError_t launchTeams(void (*kernel)(Params...), int64_t items, int64_t heads, int64_t batch,
                        int threads, int64_t shared, cudaStream_t stream, const Args &...args) {
  if (items <= 0 || heads <= 0 || batch <= 0)
    return cudaSuccess;
  if (shared > 48 * 1024)
    if (cudaError_t e = cudaFuncSetAttribute(
            kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(shared)))
      return e;
  kernel<<<dim3(static_cast<unsigned>(items), static_cast<unsigned>(heads),
                static_cast<unsigned>(batch)),
           threads, static_cast<size_t>(shared), stream>>>(args...);
  return cudaGetLastError();
}

/// Enqueues every step of stage `s` on `stream`; never synchronizes.
template <int D, typename Input>
cudaError_t launchSelection(const SelectionLaunch &s, cudaStream_t stream) {
  using T = typename Input::Element;
  const int64_t hq = s.numQHeads, hkv = s.numKVHeads, b = s.batch;
  constexpr int kThreads = kSelectionThreads;
  cudaError_t e = cudaSuccess;
  auto then = [&](cudaError_t next) {
    if (e == cudaSuccess)
      e = next;
  };
  switch (s.kind) {
  case SelectionKind::TopkBlocks:
  case SelectionKind::Mass:
    then(launchTeams(poolKernel<D, T>, s.queryBlocks, hq, b, kThreads, 0, stream, s, false));
    then(launchTeams(poolKernel<D, T>, s.keyBlocks, hkv, b, kThreads, 0, stream, s, true));
    then(launchTeams(selectBlocksKernel<D>, s.queryBlocks, hq, b, kThreads,
                     selectBlocksShared(D, s.keyBlocks, s.out.capacity), stream, s));
    break;
  case SelectionKind::Pages: {
    const int64_t pages = core::ceilDiv(s.keyLength, s.block);
    if (!s.callerBounds || s.boundsOnly)
      then(launchTeams(pageBoundsKernel<D, T>, pages - s.firstPage, hkv, b, kThreads, 0,
                       stream, s));
    if (!s.boundsOnly)
      then(launchTeams(selectPagesKernel<D, T>, s.queryLength, hq, b, kThreads,
                       selectPagesShared(D, pages), stream, s));
    break;
  }
  case SelectionKind::VerticalSlash:
    then(launchTeams(slashRowStatsKernel<D, T>, s.lastQueries, hq, b, kThreads,
                     slashRowStatsShared(D), stream, s));
    then(launchTeams(slashColumnsKernel<D, T>, s.keyChunks, hq, b, static_cast<int>(kSlashChunk),
                     slashColumnsShared(D, s.lastQueries), stream, s));
    then(launchTeams(slashOffsetsKernel, core::ceilDiv(2 * s.keyLength - 1, kThreads), hq, b,
                     kThreads, 0, stream, s));
    then(launchTeams(selectSlashKernel, 2, hq, b, kThreads,
                     static_cast<int64_t>(sizeof(TopScratch)), stream, s));
    break;
  case SelectionKind::RandomBlocks: // chosen inside the attend kernel
    break;
  }
  return e;
}

} // namespace spattn::cuda

#endif
