//===- CudaLaunch.h - What the CUDA driver hands a variant's kernels -*- C++ -*-===//
//
// The contract between the host driver (CudaDriver.cpp, compiled by the
// host compiler) and the generated per-bucket kernels (compiled by nvcc):
// plain data, passed to the kernels by value, so a launch needs no device
// allocation. Strides are in elements.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_TARGETS_CUDA_LIBSUPPORT_CUDALAUNCH_H
#define SPATTN_TARGETS_CUDA_LIBSUPPORT_CUDALAUNCH_H

#include "core/BlockGrid.h"
#include "targets/cuda/libsupport/SelectionLaunch.h"

#include <cstdint>

namespace spattn::cuda {

/// Schedule parameters a launch carries (a variant with more is rejected
/// when the library is compiled).
constexpr int kMaxScheduleParams = 24;

/// One attention call on the device.
struct AttentionLaunch {
  const void *q, *k, *v; // [B, H, L, D], element type of the instantiation
  void *o;
  float *lse; // [B, Hq, Lq] natural log, or null
  int64_t qStride[3], kStride[3], vStride[3], oStride[3]; // batch, head, row
  int64_t lseStride[2];                                   // batch, head
  int64_t batch, numQHeads, numKVHeads, queryLength, keyLength;
  float scaleLog2; // softmax scale * log2(e)
  int64_t params[kMaxScheduleParams];
  /// Query heads one block serves: 1, or the whole GQA group of a kv head
  /// when their rows fit one tile together (decode; head-uniform schedules).
  int32_t headsPerBlock;
  /// Split-KV: each block takes a share of its query tile's key tiles and
  /// writes unnormalized partials to the workspace; a second kernel
  /// combines them. splits == 1 writes O and LSE directly.
  int32_t splits;
  float *partialO;   // [splits, B, Hq, Lq, D]
  float *partialLse; // [splits, B, Hq, Lq], log2 domain
  /// Per selection stage of the variant, what the selection kernels chose
  /// (content-based stages; empty for random_blocks, chosen in the kernel).
  StageBuffer stages[kMaxStages];
};

/// The kernels' tiles (the schedules' tileQ x tileK): 64 x 64.
constexpr int64_t kTileRows = 64, kTileKeys = 64;

/// The query and key tiles of a launch's lengths.
SPATTN_HOST_DEVICE inline core::TileGeometry tileGeometry(const AttentionLaunch &p) {
  return {kTileRows, kTileKeys, p.queryLength, p.keyLength};
}

/// Bytes of workspace a call with `splits` splits needs.
inline int64_t workspaceBytes(int32_t splits, int64_t batch, int64_t numQHeads,
                              int64_t queryLength, int64_t headDim) {
  if (splits <= 1)
    return 0;
  int64_t rows = int64_t{splits} * batch * numQHeads * queryLength;
  return rows * (headDim + 1) * int64_t{sizeof(float)} + 256;
}

} // namespace spattn::cuda

#endif
