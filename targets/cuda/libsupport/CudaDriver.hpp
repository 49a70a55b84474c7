//===- CudaDriver.hpp - The CUDA target's half of a library -----*- C++ -*-===//
//
// A library compiled with --target=cuda carries one CudaVariant per bucket:
// the launchers of that bucket's kernels (generated, compiled by nvcc), the
// host-side count of a query tile's kept key tiles and its selection
// stages. The driver (CudaDriver.cpp) checks a call, picks the variant for
// Lk, lays out the stages' buffers in the workspace, chooses how to spread
// the work (GQA heads per block, split-KV) and launches selection, then
// attention, on the caller's stream: no allocation, no host
// synchronization, no copy, so a CUDA graph can capture the call.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_TARGETS_CUDA_LIBSUPPORT_CUDADRIVER_HPP
#define SPATTN_TARGETS_CUDA_LIBSUPPORT_CUDADRIVER_HPP

#include "spattn/library_abi.hpp"
#include "targets/cuda/libsupport/CudaLaunch.h"
#include "targets/cuda/libsupport/SelectionLaunch.h"

#include <cstddef>
#include <cstdint>

namespace spattn::cuda {

/// Launches one call on `stream` (a cudaStream_t); returns the cudaError_t.
using Launcher = int (*)(const AttentionLaunch &launch, void *stream);
/// Enqueues one content-based selection stage on `stream`.
using Selector = int (*)(const SelectionLaunch &launch, void *stream);

/// One selection stage of a variant, as the library plan describes it.
struct StageInfo {
  SelectionKind kind;
  int64_t block;    // block or page size; 0 for vertical_slash
  double gamma;     // mass
  int64_t capacity; // the most indices one group keeps anywhere in the bucket
  uint64_t servesHead[kMaxSelectionHeads / 64];
};

/// The kernels of one variant.
struct CudaVariant {
  Launcher half;     // fp16 inputs, or null
  Launcher bfloat16; // bf16 inputs, or null
  /// Key tiles query tile `queryTile` keeps (head 0): sizes split-KV.
  int64_t (*keptTiles)(const AttentionLaunch &launch, int64_t queryTile);
  /// Every query head keeps the same pairs, so a GQA group may share a block.
  bool headUniform;
  /// The selection stages (their index is the schedule's stage id), the
  /// budgets of each at a call (counts[s] = {count, second count, last
  /// queries}, from the schedule parameters at `length`), and the
  /// selection kernels per input type.
  int32_t numStages;
  const StageInfo *stages;
  void (*stageCounts)(const int64_t *params, int64_t length, int64_t (*counts)[3]);
  Selector selectHalf, selectBfloat16;
};

/// The call on `stream` with the caller's `workspace` of `workspaceBytes`
/// (at least what workspaceSize says; null when that is 0). `pageBounds`:
/// null, or per stage the caller's device page bounds of pages stages
/// (null entries: computed from K).
int attention(const abi::Library &library, const CudaVariant *variants,
              const rt::TargetAccepts &accepts, const spattn_tensor *q,
              const spattn_tensor *k, const spattn_tensor *v, spattn_tensor *o,
              spattn_tensor *lse, const spattn_tensor *const *pageBounds,
              const spattn_options *options, spattn_cuda_stream stream, void *workspace,
              size_t workspaceBytes);

/// The call on the legacy default stream, with a workspace allocated and
/// freed in stream order: `<name>_attention` (and `..._with_page_bounds`)
/// on device tensors.
int attentionOnDefaultStream(const abi::Library &library, const CudaVariant *variants,
                             const rt::TargetAccepts &accepts, const spattn_tensor *q,
                             const spattn_tensor *k, const spattn_tensor *v,
                             spattn_tensor *o, spattn_tensor *lse,
                             const spattn_tensor *const *pageBounds,
                             const spattn_options *options);

/// `<name>_update_page_bounds_cuda`: on `stream`, recomputes the bound rows
/// of the pages holding keys firstKey .. Lk - 1 of device K into the
/// caller's device float32 `bounds` [B, Hkv, P, 2 D] (minima, then maxima).
int updatePageBounds(const abi::Library &library, const CudaVariant *variants,
                     const rt::TargetAccepts &accepts, const spattn_tensor *k,
                     int64_t firstKey, int32_t stage, spattn_tensor *bounds,
                     spattn_cuda_stream stream);

/// `<name>_selection_cuda`: what stage `stage` chooses for (batch, head) of
/// device Q and K, copied to this thread's host arrays (valid until its
/// next call). Runs on the legacy default stream with its own workspace
/// and synchronizes: for tests and inspection, not for a timed path.
int selection(const abi::Library &library, const CudaVariant *variants,
              const rt::TargetAccepts &accepts, const spattn_tensor *q,
              const spattn_tensor *k, int64_t batch, int64_t head, int32_t stage,
              const spattn_options *options, spattn_selection *out);

/// The workspace bytes a call with these Q and K (shapes, dtype, device)
/// needs on the current device.
int workspaceSize(const abi::Library &library, const CudaVariant *variants,
                  const rt::TargetAccepts &accepts, const spattn_tensor *q,
                  const spattn_tensor *k, const spattn_options *options,
                  size_t *bytes);

} // namespace spattn::cuda

#endif
