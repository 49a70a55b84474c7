//===- CudaDriver.cpp - Check, plan and launch one call on a CUDA stream ---===//
#include "targets/cuda/libsupport/CudaDriver.hpp"

#include <cuda_runtime.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <string>
#include <vector>

namespace spattn::cuda {

namespace {

static_assert(static_cast<int>(SelectionKind::TopkBlocks) ==
                      static_cast<int>(abi::StageKind::TopkBlocks) &&
                  static_cast<int>(SelectionKind::RandomBlocks) ==
                      static_cast<int>(abi::StageKind::RandomBlocks) &&
                  static_cast<int>(SelectionKind::Mass) == static_cast<int>(abi::StageKind::Mass) &&
                  static_cast<int>(SelectionKind::Pages) ==
                      static_cast<int>(abi::StageKind::Pages) &&
                  static_cast<int>(SelectionKind::VerticalSlash) ==
                      static_cast<int>(abi::StageKind::VerticalSlash),
              "SelectionKind numbers stages as the library ABI does");

/// Page bounds as the selection kernels read and write them: float32 in
/// device memory (the host's bounds in K's 16-bit dtype wait for a GPU to
/// test them on).
constexpr rt::TargetAccepts kBoundsReads = {"cuda target", 1u << SPATTN_F32,
                                            SPATTN_MEMORY_CUDA};

constexpr int kMaxSplits = 64;
constexpr int kMaxDevices = 64;
constexpr int64_t kMaxGridZ = 65535;

int cudaFailure(int status, const std::string &what, cudaError_t error) {
  return rt::fail(status, what + ": " + cudaGetErrorString(error));
}

/// Restores the caller's current device when the call ends.
class DeviceScope {
public:
  int enter(int device) {
    if (cudaError_t e = cudaGetDevice(&previous))
      return cudaFailure(SPATTN_ERROR_ARGUMENT, "cannot use CUDA", e);
    if (device != previous)
      if (cudaError_t e = cudaSetDevice(device))
        return cudaFailure(SPATTN_ERROR_ARGUMENT,
                           "cannot use CUDA device " + std::to_string(device), e);
    entered = true;
    return SPATTN_OK;
  }
  ~DeviceScope() {
    if (entered)
      cudaSetDevice(previous);
  }

private:
  int previous = 0;
  bool entered = false;
};

/// The tensor's data must be device memory on the tensor's device, and
/// 16-byte aligned with rows a multiple of 8 elements apart (the kernels
/// copy rows in 16-byte chunks).
int checkDeviceTensor(const char *what, const spattn_tensor &t, int device) {
  std::string name = what;
  if (t.device != device)
    return rt::fail(SPATTN_ERROR_ARGUMENT, name + " is on CUDA device " +
                                               std::to_string(t.device) + ", q on " +
                                               std::to_string(device));
  cudaPointerAttributes attributes{};
  if (cudaError_t e = cudaPointerGetAttributes(&attributes, t.data))
    return cudaFailure(SPATTN_ERROR_ARGUMENT, "cannot inspect " + name + "->data", e);
  if (attributes.type != cudaMemoryTypeDevice && attributes.type != cudaMemoryTypeManaged)
    return rt::fail(SPATTN_ERROR_ARGUMENT, name + "->data is not CUDA device memory");
  if (attributes.device != device)
    return rt::fail(SPATTN_ERROR_ARGUMENT,
                    name + "->data lives on CUDA device " + std::to_string(attributes.device) +
                        ", but the tensor says device " + std::to_string(device));
  if (t.rank == 4) {
    if (reinterpret_cast<uintptr_t>(t.data) % 16 != 0)
      return rt::fail(SPATTN_ERROR_STRIDE, name + "->data must be 16-byte aligned");
    for (int d = 0; d < 3; ++d)
      if (t.strides[d] % 8 != 0 && t.shape[d] > 1)
        return rt::fail(SPATTN_ERROR_STRIDE,
                        name + "'s batch, head and row strides must be multiples of 8 "
                               "elements (16 bytes), got " +
                            std::to_string(t.strides[d]));
  }
  return SPATTN_OK;
}

/// Streaming multiprocessors of `device`, asked once.
int multiprocessors(int device) {
  static std::atomic<int> cached[kMaxDevices] = {};
  if (device >= 0 && device < kMaxDevices && cached[device].load() > 0)
    return cached[device].load();
  int count = 0;
  if (cudaDeviceGetAttribute(&count, cudaDevAttrMultiProcessorCount, device) != cudaSuccess ||
      count <= 0)
    count = 108;
  if (device >= 0 && device < kMaxDevices)
    cached[device].store(count);
  return count;
}

/// A checked call: the launches without their workspace, and its variant.
struct Plan {
  AttentionLaunch launch{};
  const CudaVariant *variant = nullptr;
  int64_t headDim = 0;
  /// Per stage of the variant (random_blocks ones stay unused).
  SelectionLaunch selections[kMaxStages];
  int64_t selectionBytes = 0; // the stages' part of the workspace, first
};

/// Workspace pieces, 256-byte aligned, assigned from `base` (when not null)
/// in order; `used` counts the bytes.
class WorkspaceCarver {
public:
  explicit WorkspaceCarver(unsigned char *base) : base(base) {}
  template <typename U> void take(U *&at, int64_t count) {
    if (base)
      at = reinterpret_cast<U *>(base + used);
    used += (count * static_cast<int64_t>(sizeof(U)) + 255) / 256 * 256;
  }
  int64_t used = 0;

private:
  unsigned char *base;
};

/// Places stage `s`'s choices and scratch in the workspace at `base` (null:
/// only counts); returns the bytes it takes.
int64_t layoutSelection(SelectionLaunch &s, int64_t headDim, unsigned char *base) {
  WorkspaceCarver carve(base);
  const int64_t headRows = s.batch * s.numQHeads;
  carve.take(s.out.count, headRows * s.out.groups);
  carve.take(s.out.index, headRows * s.out.groups * s.out.capacity);
  switch (s.kind) {
  case SelectionKind::TopkBlocks:
  case SelectionKind::Mass:
    carve.take(s.pooledQ, headRows * s.queryBlocks * headDim);
    carve.take(s.pooledK, s.batch * s.numKVHeads * s.keyBlocks * headDim);
    break;
  case SelectionKind::Pages:
    if (!s.callerBounds) {
      carve.take(s.computedBounds, s.batch * s.boundsStride[0]);
      s.bounds = s.computedBounds;
    }
    break;
  case SelectionKind::VerticalSlash:
    carve.take(s.rowMax, headRows * s.lastQueries);
    carve.take(s.rowSum, headRows * s.lastQueries);
    carve.take(s.columns, headRows * s.keyLength);
    carve.take(s.partials, headRows * s.keyChunks * (s.lastQueries + kSlashChunk - 1));
    carve.take(s.offsets, headRows * (2 * s.keyLength - 1));
    break;
  case SelectionKind::RandomBlocks:
    break;
  }
  return carve.used;
}

/// Fills the variant's content-based stages for the call's shapes and
/// budgets (everything but the tensors and the workspace).
void planSelections(Plan &plan, const abi::Library &library) {
  const CudaVariant &variant = *plan.variant;
  const AttentionLaunch &p = plan.launch;
  int64_t counts[kMaxStages][3] = {};
  if (variant.numStages > 0)
    variant.stageCounts(p.params, p.keyLength, counts);
  plan.selectionBytes = 0;
  for (int32_t index = 0; index < variant.numStages; ++index) {
    const StageInfo &info = variant.stages[index];
    SelectionLaunch &s = plan.selections[index];
    s = SelectionLaunch{};
    s.kind = info.kind;
    if (info.kind == SelectionKind::RandomBlocks)
      continue;
    s.batch = p.batch;
    s.numQHeads = p.numQHeads;
    s.numKVHeads = p.numKVHeads;
    s.queryLength = p.queryLength;
    s.keyLength = p.keyLength;
    s.scale = static_cast<float>(library.scale);
    s.causal = library.causal;
    std::copy(std::begin(info.servesHead), std::end(info.servesHead), s.servesHead);
    s.block = info.block;
    s.gamma = info.gamma;
    s.count = counts[index][0];
    s.count2 = counts[index][1];
    s.out.capacity = std::max<int64_t>(info.capacity, 1);
    const int64_t dim = plan.headDim;
    switch (info.kind) {
    case SelectionKind::TopkBlocks:
    case SelectionKind::Mass:
      s.firstQueryBlock = core::floorDiv(s.shift(), s.block);
      s.queryBlocks = core::floorDiv(s.keyLength - 1, s.block) - s.firstQueryBlock + 1;
      s.keyBlocks = core::ceilDiv(s.keyLength, s.block);
      s.out.groups = s.queryBlocks;
      break;
    case SelectionKind::Pages: {
      const int64_t pages = core::ceilDiv(s.keyLength, s.block);
      s.boundsStride[2] = 2 * dim;
      s.boundsStride[1] = pages * 2 * dim;
      s.boundsStride[0] = s.numKVHeads * pages * 2 * dim;
      s.out.groups = s.queryLength;
      break;
    }
    case SelectionKind::VerticalSlash:
      s.lastQueries = std::clamp<int64_t>(counts[index][2], 0, s.queryLength);
      s.keyChunks = core::ceilDiv(s.keyLength, kSlashChunk);
      s.out.groups = 2;
      break;
    case SelectionKind::RandomBlocks:
      break;
    }
    plan.selectionBytes += layoutSelection(s, dim, nullptr);
  }
}

void stridesOf(const spattn_tensor &t, int64_t (&out)[3]) {
  for (int d = 0; d < 3; ++d)
    out[d] = t.strides[d];
}

/// How to spread the call: a GQA group per block when its rows fit one tile
/// and the schedule does not tell heads apart; split-KV when there are too
/// few blocks to fill the device, each split taking at least two key tiles.
void chooseDistribution(Plan &plan, int device) {
  AttentionLaunch &p = plan.launch;
  const int64_t group = p.numQHeads / p.numKVHeads;
  const core::TileGeometry geometry = tileGeometry(p);
  const int64_t queryTiles = geometry.endQueryTile() - geometry.firstQueryTile();
  p.headsPerBlock = plan.variant->headUniform && group > 1 && queryTiles == 1 &&
                            group * p.queryLength <= kTileRows
                        ? static_cast<int32_t>(group)
                        : 1;
  const int64_t blocks = p.headsPerBlock > 1 ? p.batch * p.numKVHeads
                                             : p.batch * p.numQHeads * queryTiles;
  p.splits = 1;
  const int64_t wanted = 2 * int64_t{multiprocessors(device)};
  if (blocks >= wanted)
    return;
  const int64_t tiles = plan.variant->keptTiles(p, geometry.endQueryTile() - 1);
  const int64_t splits = std::min<int64_t>({(wanted + blocks - 1) / blocks, tiles / 2,
                                            kMaxSplits, kMaxGridZ / std::max<int64_t>(p.batch, 1)});
  p.splits = static_cast<int32_t>(std::max<int64_t>(splits, 1));
}

/// Checks everything about a call that does not need O (workspace queries
/// stop there) and fills the plan.
int planQueryKey(const abi::Library &library, const CudaVariant *variants,
                 const rt::TargetAccepts &accepts, const spattn_tensor *q,
                 const spattn_tensor *k, const spattn_options *options,
                 rt::CallShape &shape, Plan &plan, DeviceScope &scope) {
  if (int s = rt::checkQueryKey(library.shape(accepts), q, k, shape))
    return s;
  const abi::Variant *variant = nullptr;
  if (int s = abi::findVariant(library, shape.keyLength, variant))
    return s;
  int64_t combination = 0;
  if (int s = abi::requestCombination(library, options, combination))
    return s;
  // Batch elements are a grid's z (selection) or z = batch * splits (attend):
  // CUDA allows 65535 there; the query rows of x stay below 2^31 by the
  // runtime's SPATTN_MAX_QUERY_ROWS.
  if (shape.batch > kMaxGridZ)
    return rt::fail(SPATTN_ERROR_SHAPE,
                    std::string(library.name) + ": the cuda target serves at most " +
                        std::to_string(kMaxGridZ) + " batch elements per call, got " +
                        std::to_string(shape.batch) + "; split the batch");
  if (int s = scope.enter(q->device))
    return s;
  if (int s = checkDeviceTensor("q", *q, q->device))
    return s;
  if (int s = checkDeviceTensor("k", *k, q->device))
    return s;
  plan.variant = &variants[variant - library.variants];
  plan.headDim = library.headDim;
  AttentionLaunch &p = plan.launch;
  p.batch = shape.batch;
  p.numQHeads = shape.numQHeads;
  p.numKVHeads = shape.numKVHeads;
  p.queryLength = shape.queryLength;
  p.keyLength = shape.keyLength;
  p.scaleLog2 = static_cast<float>(library.scale * 1.4426950408889634);
  std::vector<int64_t> params = abi::parametersAt(*variant, shape.keyLength, combination);
  std::copy(params.begin(), params.end(), p.params);
  chooseDistribution(plan, q->device);
  planSelections(plan, library);
  p.q = q->data;
  p.k = k->data;
  stridesOf(*q, p.qStride);
  stridesOf(*k, p.kStride);
  for (SelectionLaunch &selection : plan.selections) {
    selection.q = p.q;
    selection.k = p.k;
    std::copy(std::begin(p.qStride), std::end(p.qStride), selection.qStride);
    std::copy(std::begin(p.kStride), std::end(p.kStride), selection.kStride);
  }
  return SPATTN_OK;
}

/// Enqueues the selection stages, then the attend kernel that reads their
/// choices, on `stream`.
int launch(Plan &plan, spattn_dtype dtype, spattn_cuda_stream stream) {
  const bool bf16 = dtype == SPATTN_BF16;
  Launcher launcher = bf16 ? plan.variant->bfloat16 : plan.variant->half;
  if (!launcher)
    return rt::fail(SPATTN_ERROR_DTYPE, "no kernel for this dtype");
  for (int32_t index = 0; index < plan.variant->numStages; ++index) {
    SelectionLaunch &s = plan.selections[index];
    if (s.kind == SelectionKind::RandomBlocks)
      continue;
    Selector select = bf16 ? plan.variant->selectBfloat16 : plan.variant->selectHalf;
    if (int error = select(s, stream))
      return rt::fail(SPATTN_ERROR_INTERNAL,
                      std::string("CUDA selection launch failed: ") +
                          cudaGetErrorString(static_cast<cudaError_t>(error)));
    plan.launch.stages[index] = s.out;
  }
  if (int error = launcher(plan.launch, stream))
    return rt::fail(SPATTN_ERROR_INTERNAL,
                    std::string("CUDA kernel launch failed: ") +
                        cudaGetErrorString(static_cast<cudaError_t>(error)));
  return SPATTN_OK;
}

/// The stages' choices and scratch, then the split-KV partials.
int64_t bytesFor(const Plan &plan) {
  const AttentionLaunch &p = plan.launch;
  return plan.selectionBytes +
         workspaceBytes(p.splits, p.batch, p.numQHeads, p.queryLength, plan.headDim);
}

/// Checks the caller's page bounds (device float32, on Q's device) of the
/// call's pages stages and has those stages read them instead of computing
/// bounds from K.
int bindPageBounds(Plan &plan, const rt::CallShape &shape,
                   const spattn_tensor *const *pageBounds, int device) {
  if (!pageBounds)
    return SPATTN_OK;
  for (int32_t index = 0; index < plan.variant->numStages; ++index) {
    SelectionLaunch &s = plan.selections[index];
    if (s.kind != SelectionKind::Pages || !pageBounds[index])
      continue;
    const std::string what = "page_bounds[" + std::to_string(index) + "]";
    const spattn_tensor &bounds = *pageBounds[index];
    if (int status = rt::checkPageBounds(what.c_str(), &bounds, shape, s.block,
                                         kBoundsReads, false))
      return status;
    if (int status = checkDeviceTensor(what.c_str(), bounds, device))
      return status;
    s.callerBounds = true;
    s.bounds = static_cast<const float *>(bounds.data);
    std::copy(bounds.strides, bounds.strides + 3, s.boundsStride);
  }
  return SPATTN_OK;
}

/// Full checks of a call, and the plan with Q, K, V, O and LSE bound.
int planCall(const abi::Library &library, const CudaVariant *variants,
             const rt::TargetAccepts &accepts, const spattn_tensor *q,
             const spattn_tensor *k, const spattn_tensor *v, spattn_tensor *o,
             spattn_tensor *lse, const spattn_tensor *const *pageBounds,
             const spattn_options *options, Plan &plan, DeviceScope &scope) {
  rt::CallShape shape;
  if (int s = rt::checkAttention(library.shape(accepts), q, k, v, o, lse, shape))
    return s;
  if (int s = planQueryKey(library, variants, accepts, q, k, options, shape, plan, scope))
    return s;
  if (int s = bindPageBounds(plan, shape, pageBounds, q->device))
    return s;
  if (int s = checkDeviceTensor("v", *v, q->device))
    return s;
  if (int s = checkDeviceTensor("o", *o, q->device))
    return s;
  if (lse)
    if (int s = checkDeviceTensor("lse", *lse, q->device))
      return s;
  AttentionLaunch &p = plan.launch;
  p.v = v->data;
  p.o = o->data;
  stridesOf(*v, p.vStride);
  stridesOf(*o, p.oStride);
  p.lse = lse ? static_cast<float *>(lse->data) : nullptr;
  if (lse) {
    p.lseStride[0] = lse->strides[0];
    p.lseStride[1] = lse->strides[1];
    if (lse->strides[2] != 1)
      return rt::fail(SPATTN_ERROR_STRIDE, "lse must have a unit row stride on CUDA");
  }
  return SPATTN_OK;
}

void bindWorkspace(Plan &plan, void *workspace) {
  unsigned char *at = static_cast<unsigned char *>(workspace);
  for (int32_t index = 0; index < plan.variant->numStages; ++index)
    if (plan.selections[index].kind != SelectionKind::RandomBlocks)
      at += layoutSelection(plan.selections[index], plan.headDim, at);
  AttentionLaunch &p = plan.launch;
  if (p.splits <= 1)
    return;
  const int64_t rows = int64_t{p.splits} * p.batch * p.numQHeads * p.queryLength;
  p.partialO = reinterpret_cast<float *>(at);
  p.partialLse = p.partialO + rows * plan.headDim;
}

} // namespace

int attention(const abi::Library &library, const CudaVariant *variants,
              const rt::TargetAccepts &accepts, const spattn_tensor *q,
              const spattn_tensor *k, const spattn_tensor *v, spattn_tensor *o,
              spattn_tensor *lse, const spattn_tensor *const *pageBounds,
              const spattn_options *options, spattn_cuda_stream stream, void *workspace,
              size_t workspaceBytes) {
  rt::clearError();
  Plan plan;
  DeviceScope scope;
  if (int s = planCall(library, variants, accepts, q, k, v, o, lse, pageBounds, options, plan, scope))
    return s;
  const int64_t needed = bytesFor(plan);
  if (needed > 0 && (!workspace || workspaceBytes < static_cast<size_t>(needed)))
    return rt::fail(SPATTN_ERROR_ARGUMENT,
                    std::string(library.name) + ": this call needs a workspace of " +
                        std::to_string(needed) + " bytes (" + library.name +
                        "_workspace_size), got " + std::to_string(workspaceBytes));
  if (needed > 0 && reinterpret_cast<uintptr_t>(workspace) % 16 != 0)
    return rt::fail(SPATTN_ERROR_ARGUMENT, "the workspace must be 16-byte aligned");
  bindWorkspace(plan, workspace);
  return launch(plan, q->dtype, stream);
}

int attentionOnDefaultStream(const abi::Library &library, const CudaVariant *variants,
                             const rt::TargetAccepts &accepts, const spattn_tensor *q,
                             const spattn_tensor *k, const spattn_tensor *v,
                             spattn_tensor *o, spattn_tensor *lse,
                             const spattn_tensor *const *pageBounds,
                             const spattn_options *options) {
  Plan plan;
  DeviceScope scope;
  if (int s = planCall(library, variants, accepts, q, k, v, o, lse, pageBounds, options, plan, scope))
    return s;
  const int64_t needed = bytesFor(plan);
  void *workspace = nullptr;
  if (needed > 0)
    if (cudaError_t e = cudaMallocAsync(&workspace, needed, nullptr))
      return cudaFailure(SPATTN_ERROR_MEMORY, "cannot allocate the split-KV workspace", e);
  bindWorkspace(plan, workspace);
  int status = launch(plan, q->dtype, nullptr);
  if (workspace)
    cudaFreeAsync(workspace, nullptr);
  return status;
}

int selection(const abi::Library &library, const CudaVariant *variants,
              const rt::TargetAccepts &accepts, const spattn_tensor *q,
              const spattn_tensor *k, int64_t batch, int64_t head, int32_t stage,
              const spattn_options *options, spattn_selection *out) {
  rt::clearError();
  if (!out)
    return rt::fail(SPATTN_ERROR_NULL, "out is null");
  rt::CallShape shape;
  Plan plan;
  DeviceScope scope;
  if (int s = planQueryKey(library, variants, accepts, q, k, options, shape, plan, scope))
    return s;
  if (int s = abi::checkSelectionRequest(library, shape, batch, head, stage))
    return s;
  SelectionLaunch &s = plan.selections[stage];
  const auto kind = static_cast<abi::StageKind>(s.kind);
  if (s.kind == SelectionKind::RandomBlocks)
    return rt::fail(SPATTN_ERROR_ARGUMENT,
                    std::string("stage ") + std::to_string(stage) +
                        " (random_blocks) is chosen inside the attend kernel; " +
                        library.name + "_selection on host float32 Q and K gives it");
  if (!s.serves(head))
    return abi::stageDoesNotServe(stage, kind, head);
  // Outside any timed path: its own workspace, the legacy stream, and a
  // synchronous copy of (batch, head)'s groups to the host.
  const int64_t bytes = layoutSelection(s, plan.headDim, nullptr);
  void *workspace = nullptr;
  if (cudaError_t e = cudaMalloc(&workspace, static_cast<size_t>(bytes)))
    return cudaFailure(SPATTN_ERROR_MEMORY, "cannot allocate the selection workspace", e);
  layoutSelection(s, plan.headDim, static_cast<unsigned char *>(workspace));
  const bool bf16 = q->dtype == SPATTN_BF16;
  Selector select = bf16 ? plan.variant->selectBfloat16 : plan.variant->selectHalf;
  const int64_t first = (batch * s.numQHeads + head) * s.out.groups;
  std::vector<int32_t> counts(s.out.groups), indices(s.out.groups * s.out.capacity);
  int status = select ? select(s, nullptr) : static_cast<int>(cudaErrorInvalidDeviceFunction);
  cudaError_t e = static_cast<cudaError_t>(status);
  if (e == cudaSuccess)
    e = cudaMemcpy(counts.data(), s.out.count + first, counts.size() * sizeof(int32_t),
                   cudaMemcpyDeviceToHost);
  if (e == cudaSuccess)
    e = cudaMemcpy(indices.data(), s.out.index + first * s.out.capacity,
                   indices.size() * sizeof(int32_t), cudaMemcpyDeviceToHost);
  cudaFree(workspace);
  if (e != cudaSuccess)
    return cudaFailure(SPATTN_ERROR_INTERNAL, "the selection on the device failed", e);
  static thread_local std::vector<int64_t> offsets, chosen;
  offsets.assign(1, 0);
  chosen.clear();
  for (int64_t g = 0; g < s.out.groups; ++g) {
    chosen.insert(chosen.end(), indices.begin() + g * s.out.capacity,
                  indices.begin() + g * s.out.capacity + counts[g]);
    offsets.push_back(static_cast<int64_t>(chosen.size()));
  }
  out->kind = abi::publicSelectionKind(kind);
  out->first_group = s.kind == SelectionKind::TopkBlocks || s.kind == SelectionKind::Mass
                         ? s.firstQueryBlock
                         : 0;
  out->num_groups = s.out.groups;
  out->offsets = offsets.data();
  out->indices = chosen.data();
  return SPATTN_OK;
}

int updatePageBounds(const abi::Library &library, const CudaVariant *variants,
                     const rt::TargetAccepts &accepts, const spattn_tensor *k,
                     int64_t firstKey, int32_t stage, spattn_tensor *bounds,
                     spattn_cuda_stream stream) {
  rt::clearError();
  rt::CallShape shape;
  if (int s = rt::checkKey(library.shape(accepts), k, shape))
    return s;
  int64_t page = 0;
  if (int s = abi::checkPageBoundsUpdate(library, shape, firstKey, stage, bounds,
                                         kBoundsReads, page))
    return s;
  const abi::Variant *variant = nullptr;
  if (int s = abi::findVariant(library, shape.keyLength, variant))
    return s;
  DeviceScope scope;
  if (int s = scope.enter(k->device))
    return s;
  if (int s = checkDeviceTensor("k", *k, k->device))
    return s;
  if (int s = checkDeviceTensor("bounds", *bounds, k->device))
    return s;
  const CudaVariant &cuda = variants[variant - library.variants];
  SelectionLaunch s;
  s.kind = SelectionKind::Pages;
  s.k = k->data;
  stridesOf(*k, s.kStride);
  s.batch = shape.batch;
  s.numKVHeads = shape.numKVHeads;
  s.keyLength = shape.keyLength;
  s.block = page;
  s.computedBounds = static_cast<float *>(bounds->data);
  std::copy(bounds->strides, bounds->strides + 3, s.boundsStride);
  s.callerBounds = s.boundsOnly = true;
  s.firstPage = firstKey / page;
  Selector select = k->dtype == SPATTN_BF16 ? cuda.selectBfloat16 : cuda.selectHalf;
  if (!select)
    return rt::fail(SPATTN_ERROR_DTYPE, "no kernel for this dtype");
  if (int error = select(s, stream))
    return rt::fail(SPATTN_ERROR_INTERNAL,
                    std::string("CUDA page bounds launch failed: ") +
                        cudaGetErrorString(static_cast<cudaError_t>(error)));
  return SPATTN_OK;
}

int workspaceSize(const abi::Library &library, const CudaVariant *variants,
                  const rt::TargetAccepts &accepts, const spattn_tensor *q,
                  const spattn_tensor *k, const spattn_options *options,
                  size_t *bytes) {
  rt::clearError();
  if (!bytes)
    return rt::fail(SPATTN_ERROR_NULL, "bytes is null");
  rt::CallShape shape;
  Plan plan;
  DeviceScope scope;
  if (int s = planQueryKey(library, variants, accepts, q, k, options, shape, plan, scope))
    return s;
  *bytes = static_cast<size_t>(bytesFor(plan));
  return SPATTN_OK;
}

} // namespace spattn::cuda
