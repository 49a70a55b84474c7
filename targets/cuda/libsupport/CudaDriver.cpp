//===- CudaDriver.cpp - Check, plan and launch one call on a CUDA stream ---===//
#include "targets/cuda/libsupport/CudaDriver.hpp"

#include <cuda_runtime.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <string>

namespace spattn::cuda {

namespace {

constexpr int kMaxSplits = 64;
constexpr int kMaxDevices = 64;

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

/// A checked call: the launch without its workspace, and its variant.
struct Plan {
  AttentionLaunch launch{};
  const CudaVariant *variant = nullptr;
  int64_t headDim = 0;
};

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
                                            kMaxSplits, 65535 / std::max<int64_t>(p.batch, 1)});
  p.splits = static_cast<int32_t>(std::max<int64_t>(splits, 1));
}

/// Checks everything about a call that does not need O (workspace queries
/// stop there) and fills the plan.
int planQueryKey(const abi::Library &library, const CudaVariant *variants,
                 const rt::TargetAccepts &accepts, const spattn_tensor *q,
                 const spattn_tensor *k, rt::CallShape &shape, Plan &plan,
                 DeviceScope &scope) {
  if (int s = rt::checkQueryKey(library.shape(accepts), q, k, shape))
    return s;
  const abi::Variant *variant = nullptr;
  if (int s = abi::findVariant(library, shape.keyLength, variant))
    return s;
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
  std::vector<int64_t> params = abi::parametersAt(*variant, shape.keyLength);
  std::copy(params.begin(), params.end(), p.params);
  chooseDistribution(plan, q->device);
  return SPATTN_OK;
}

int launch(const Plan &plan, spattn_dtype dtype, spattn_cuda_stream stream) {
  Launcher launcher = dtype == SPATTN_BF16 ? plan.variant->bfloat16 : plan.variant->half;
  if (!launcher)
    return rt::fail(SPATTN_ERROR_DTYPE, "no kernel for this dtype");
  if (int error = launcher(plan.launch, stream))
    return rt::fail(SPATTN_ERROR_INTERNAL,
                    std::string("CUDA kernel launch failed: ") +
                        cudaGetErrorString(static_cast<cudaError_t>(error)));
  return SPATTN_OK;
}

int64_t bytesFor(const Plan &plan) {
  const AttentionLaunch &p = plan.launch;
  return workspaceBytes(p.splits, p.batch, p.numQHeads, p.queryLength, plan.headDim);
}

/// Full checks of a call, and the plan with Q, K, V, O and LSE bound.
int planCall(const abi::Library &library, const CudaVariant *variants,
             const rt::TargetAccepts &accepts, const spattn_tensor *q,
             const spattn_tensor *k, const spattn_tensor *v, spattn_tensor *o,
             spattn_tensor *lse, Plan &plan, DeviceScope &scope) {
  rt::CallShape shape;
  if (int s = rt::checkAttention(library.shape(accepts), q, k, v, o, lse, shape))
    return s;
  if (int s = planQueryKey(library, variants, accepts, q, k, shape, plan, scope))
    return s;
  if (int s = checkDeviceTensor("v", *v, q->device))
    return s;
  if (int s = checkDeviceTensor("o", *o, q->device))
    return s;
  if (lse)
    if (int s = checkDeviceTensor("lse", *lse, q->device))
      return s;
  AttentionLaunch &p = plan.launch;
  p.q = q->data;
  p.k = k->data;
  p.v = v->data;
  p.o = o->data;
  stridesOf(*q, p.qStride);
  stridesOf(*k, p.kStride);
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
  AttentionLaunch &p = plan.launch;
  if (p.splits <= 1)
    return;
  const int64_t rows = int64_t{p.splits} * p.batch * p.numQHeads * p.queryLength;
  p.partialO = static_cast<float *>(workspace);
  p.partialLse = p.partialO + rows * plan.headDim;
}

} // namespace

int attention(const abi::Library &library, const CudaVariant *variants,
              const rt::TargetAccepts &accepts, const spattn_tensor *q,
              const spattn_tensor *k, const spattn_tensor *v, spattn_tensor *o,
              spattn_tensor *lse, spattn_cuda_stream stream, void *workspace,
              size_t workspaceBytes) {
  rt::clearError();
  Plan plan;
  DeviceScope scope;
  if (int s = planCall(library, variants, accepts, q, k, v, o, lse, plan, scope))
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
                             spattn_tensor *o, spattn_tensor *lse) {
  Plan plan;
  DeviceScope scope;
  if (int s = planCall(library, variants, accepts, q, k, v, o, lse, plan, scope))
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

int workspaceSize(const abi::Library &library, const CudaVariant *variants,
                  const rt::TargetAccepts &accepts, const spattn_tensor *q,
                  const spattn_tensor *k, size_t *bytes) {
  rt::clearError();
  if (!bytes)
    return rt::fail(SPATTN_ERROR_NULL, "bytes is null");
  rt::CallShape shape;
  Plan plan;
  DeviceScope scope;
  if (int s = planQueryKey(library, variants, accepts, q, k, shape, plan, scope))
    return s;
  *bytes = static_cast<size_t>(bytesFor(plan));
  return SPATTN_OK;
}

} // namespace spattn::cuda
