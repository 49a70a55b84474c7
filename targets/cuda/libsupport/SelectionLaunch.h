//===- SelectionLaunch.h - What the CUDA driver hands the selection kernels -*- C++ -*-===//
//
// Plain data, passed by value to the selection kernels
// (targets/cuda/kernels/SelectionKernels.cuh) like AttentionLaunch to the
// attend kernel: one content-based stage of one call, its inputs, where its
// choices go (a fixed-capacity StageBuffer the attend kernel then reads) and
// its scratch, all inside the caller's workspace. Strides are in elements.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_TARGETS_CUDA_LIBSUPPORT_SELECTIONLAUNCH_H
#define SPATTN_TARGETS_CUDA_LIBSUPPORT_SELECTIONLAUNCH_H

#include "core/SelectedIndices.h"

#include <cstdint>

namespace spattn::cuda {

/// Selection stages one variant may have on the CUDA target.
constexpr int kMaxStages = 8;
/// Query heads a content-based stage can tell apart (servesHead bits).
constexpr int kMaxSelectionHeads = 256;

/// The kinds of stage, numbered as spattn::abi::StageKind.
enum class SelectionKind : int32_t { TopkBlocks, RandomBlocks, Mass, Pages, VerticalSlash };

/// One stage's choices for every (batch element, query head) of a call:
/// group g of (b, h) holds count[(b * Hq + h) * groups + g] ascending
/// indices at index[((b * Hq + h) * groups + g) * capacity].
struct StageBuffer {
  int32_t *count = nullptr, *index = nullptr;
  int64_t capacity = 0, groups = 0;

  /// What the attend kernel's schedule reads for (batch, head).
  SPATTN_HOST_DEVICE core::SelectedIndices view(int64_t batch, int64_t numQHeads,
                                                int64_t head) const {
    if (!count)
      return {};
    const int64_t first = (batch * numQHeads + head) * groups;
    return {count + first, index + first * capacity, capacity, groups};
  }
};

/// One content-based stage of one call.
struct SelectionLaunch {
  SelectionKind kind = SelectionKind::TopkBlocks;
  const void *q = nullptr, *k = nullptr; // [B, H, L, D] of the call's element type
  int64_t qStride[3] = {}, kStride[3] = {};
  int64_t batch = 0, numQHeads = 0, numKVHeads = 0, queryLength = 0, keyLength = 0;
  float scale = 1.0f;
  bool causal = false;
  uint64_t servesHead[kMaxSelectionHeads / 64] = {};
  int64_t block = 0;  // block (topk_blocks, mass) or page (pages) size
  int64_t count = 0;  // topk_blocks / pages k, mass max_k, vertical_slash columns
  int64_t count2 = 0; // vertical_slash offsets
  int64_t lastQueries = 0; // vertical_slash estimation rows: min(last_q, Lq)
  double gamma = 0;
  StageBuffer out;

  // Scratch (workspace), by kind. Blocks: pooled sums of the present rows.
  float *pooledQ = nullptr; // [B, Hq, queryBlocks, D]
  float *pooledK = nullptr; // [B, Hkv, keyBlocks, D]
  int64_t firstQueryBlock = 0, queryBlocks = 0, keyBlocks = 0;
  // Pages: per page its minima then maxima (2 * D floats), the caller's
  // (boundsStride: batch, kv head, page) or computed into the workspace.
  const float *bounds = nullptr;
  float *computedBounds = nullptr;
  int64_t boundsStride[3] = {};
  bool callerBounds = false; // bounds are the caller's: none computed
  /// Only (re)compute the bound rows of pages firstPage ... (the
  /// caller's bounds, <name>_update_page_bounds_cuda), select nothing.
  bool boundsOnly = false;
  int64_t firstPage = 0;
  // vertical_slash: per estimation row its max score and softmax sum, the
  // column scores, the diagonal sums of each key chunk, the offset scores.
  float *rowMax = nullptr;       // [B, Hq, lastQueries]
  double *rowSum = nullptr;      // [B, Hq, lastQueries]
  double *columns = nullptr;     // [B, Hq, Lk]
  double *partials = nullptr;    // [B, Hq, keyChunks, lastQueries + kSlashChunk - 1]
  double *offsets = nullptr;     // [B, Hq, 2 Lk - 1], offset d at d + Lk - 1
  int64_t keyChunks = 0;

  SPATTN_HOST_DEVICE bool serves(int64_t head) const {
    return head < kMaxSelectionHeads && ((servesHead[head / 64] >> (head % 64)) & 1);
  }
  /// p(0) = Lk - Lq.
  SPATTN_HOST_DEVICE int64_t shift() const { return keyLength - queryLength; }
  SPATTN_HOST_DEVICE int64_t kvHeadOf(int64_t head) const {
    return head / (numQHeads / numKVHeads);
  }
};

/// Keys per vertical_slash estimation chunk (one thread each on the device) and query
/// rows per pass over a chunk.
constexpr int64_t kSlashChunk = 128, kSlashRows = 16;
/// Threads of every selection kernel.
constexpr int kSelectionThreads = 256;

} // namespace spattn::cuda

#endif
