//===- CudaLibraryTest.cpp - Libraries built for cpu,cuda -----------------===//
//
// Libraries compiled with --target=cpu,cuda at build time. Everywhere: host
// float32 calls still go to the CPU target and match the fp64 reference;
// every bad CUDA call (host memory, wrong dtype, null pointers, no device,
// missing workspace) returns an error code with a message and never
// crashes. With a GPU (ctest label `gpu`; skipped with a message without
// one): bf16/fp16 device calls in every bucket, prefill and decode, match
// the fp64 reference on the same rounded inputs within 2e-2, content-based
// ones given the selections the device made (<name>_selection_cuda).
//
//===----------------------------------------------------------------------===//
#include "ReferenceCheck.h"

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cstring>

namespace spattn::test {
namespace {

using AttentionCuda = int (*)(const spattn_tensor *, const spattn_tensor *,
                              const spattn_tensor *, spattn_tensor *, spattn_tensor *,
                              const spattn_options *, spattn_cuda_stream, void *, size_t);
using WorkspaceSize = int (*)(const spattn_tensor *, const spattn_tensor *,
                              const spattn_options *, size_t *);

struct CudaLibrary {
  std::unique_ptr<LoadedLibrary> lib;
  AttentionCuda attentionCuda = nullptr;
  WorkspaceSize workspaceSize = nullptr;
  LibraryApi::Selection selectionCuda = nullptr;
};

CudaLibrary load(const std::string &name, const std::string &specFile) {
  CudaLibrary out;
  out.lib = loadLibrary(name, specFile);
  if (!out.lib)
    return out;
  out.attentionCuda = reinterpret_cast<AttentionCuda>(
      dlsym(out.lib->handle, (name + "_attention_cuda").c_str()));
  out.workspaceSize = reinterpret_cast<WorkspaceSize>(
      dlsym(out.lib->handle, (name + "_workspace_size").c_str()));
  out.selectionCuda = reinterpret_cast<LibraryApi::Selection>(
      dlsym(out.lib->handle, (name + "_selection_cuda").c_str()));
  EXPECT_TRUE(out.attentionCuda && out.workspaceSize && out.selectionCuda)
      << name << ": no CUDA entry points";
  return out;
}

// Static patterns, and content-based selection on the device: pages (f16)
// and topk_blocks (bf16, GQA).
const char *const kLibraries[][2] = {
    {"streaming_llm", SPATTN_EXAMPLES_DIR "/streaming_llm.mlir"},
    {"dense", SPATTN_BENCH_SPECS_DIR "/dense.mlir"},
    {"quest", SPATTN_EXAMPLES_DIR "/quest.mlir"},
    {"block_topk", SPATTN_EXAMPLES_DIR "/block_topk.mlir"},
};

/// The device tensors whose selections the reference check reads: the
/// LibraryApi selection hook it calls is pointed here for a device call
/// (one call at a time), so attention is checked given the selections the
/// device made, read back through <name>_selection_cuda.
struct DeviceSelections {
  LibraryApi::Selection selectionCuda = nullptr;
  spattn_tensor q{}, k{};
} deviceSelections;

int selectionOnDevice(const spattn_tensor *, const spattn_tensor *, int64_t batch,
                      int64_t head, int32_t stage, const spattn_options *options,
                      spattn_selection *out) {
  return deviceSelections.selectionCuda(&deviceSelections.q, &deviceSelections.k, batch,
                                        head, stage, options, out);
}

bool haveGpu() {
  int count = 0;
  return cudaGetDeviceCount(&count) == cudaSuccess && count > 0;
}

// The CPU target of a two-target library is unchanged.
TEST(CudaLibrary, HostCallsRunOnTheCpuTarget) {
  for (auto [name, spec] : kLibraries) {
    CudaLibrary c = load(name, spec);
    ASSERT_TRUE(c.lib);
    for (int64_t length : {int64_t{1}, int64_t{77}, int64_t{300}}) {
      CallShape shape{1, length, length};
      CallResult r = runLibrary(*c.lib, shape, 7);
      ASSERT_EQ(r.status, SPATTN_OK) << c.lib->lastError();
      ErrorBound bound = compareWithReference(*c.lib, shape, r, 7);
      EXPECT_LT(bound.out, 1e-4) << name << " L " << length;
    }
  }
}

/// Device-memory descriptors over `data` (never dereferenced by a call that
/// fails its checks).
spattn_tensor deviceTensor(void *data, spattn_dtype dtype, std::vector<int64_t> shape) {
  spattn_tensor t = spattn_contiguous(data, dtype, static_cast<int32_t>(shape.size()),
                                      shape.data());
  t.memory = SPATTN_MEMORY_CUDA;
  return t;
}

TEST(CudaLibrary, BadCallsFailCleanly) {
  CudaLibrary c = load("streaming_llm", SPATTN_EXAMPLES_DIR "/streaming_llm.mlir");
  ASSERT_TRUE(c.attentionCuda);
  alignas(16) static uint16_t scratch[8];
  std::vector<int64_t> qShape = {1, 32, 4, 128}, kShape = {1, 8, 4, 128};
  spattn_tensor q = deviceTensor(scratch, SPATTN_F16, qShape);
  spattn_tensor k = deviceTensor(scratch, SPATTN_F16, kShape);
  spattn_tensor v = k, o = q;
  auto expectError = [&](int status, int expected, const char *what) {
    EXPECT_EQ(status, expected) << what << ": " << c.lib->lastError();
    EXPECT_STRNE(c.lib->lastError(), "") << what;
  };
  // Host memory given to the CUDA entry point.
  spattn_tensor hq = q;
  hq.memory = SPATTN_MEMORY_HOST;
  expectError(c.attentionCuda(&hq, &k, &v, &o, nullptr, nullptr, nullptr, nullptr, 0),
              SPATTN_ERROR_ARGUMENT, "host q");
  // A dtype the CUDA target does not take (float32), and mixed dtypes.
  spattn_tensor fq = q, fk = k, fv = v, fo = o;
  fq.dtype = fk.dtype = fv.dtype = fo.dtype = SPATTN_F32;
  expectError(c.attentionCuda(&fq, &fk, &fv, &fo, nullptr, nullptr, nullptr, nullptr, 0),
              SPATTN_ERROR_DTYPE, "float32");
  spattn_tensor bk = k;
  bk.dtype = SPATTN_BF16;
  expectError(c.attentionCuda(&q, &bk, &v, &o, nullptr, nullptr, nullptr, nullptr, 0),
              SPATTN_ERROR_DTYPE, "mixed dtypes");
  // Null pointers and shapes.
  expectError(c.attentionCuda(nullptr, &k, &v, &o, nullptr, nullptr, nullptr, nullptr, 0),
              SPATTN_ERROR_NULL, "null q");
  spattn_tensor longK = deviceTensor(scratch, SPATTN_F16, {1, 8, 1 << 20, 128});
  spattn_tensor longQ = deviceTensor(scratch, SPATTN_F16, {1, 32, 1, 128});
  expectError(c.attentionCuda(&longQ, &longK, &longK, &longQ, nullptr, nullptr, nullptr,
                              nullptr, 0),
              SPATTN_ERROR_LENGTH, "Lk above the last bucket");
  size_t bytes = 0;
  expectError(c.workspaceSize(&q, &k, nullptr, nullptr), SPATTN_ERROR_NULL, "null bytes");
  expectError(c.workspaceSize(&hq, &k, nullptr, &bytes), SPATTN_ERROR_ARGUMENT, "host q size");
  spattn_selection selection;
  expectError(c.selectionCuda(&hq, &k, 0, 0, 0, nullptr, &selection), SPATTN_ERROR_ARGUMENT,
              "host q selection");
  expectError(c.selectionCuda(&q, &k, 0, 0, 0, nullptr, nullptr), SPATTN_ERROR_NULL, "null out");
  // A pointer that is not device memory (or no device at all): CUDA's answer
  // comes back as an error, not a crash.
  if (!haveGpu()) {
    expectError(c.attentionCuda(&q, &k, &v, &o, nullptr, nullptr, nullptr, nullptr, 0),
                SPATTN_ERROR_ARGUMENT, "no CUDA device");
    expectError(c.lib->attention(&q, &k, &v, &o, nullptr, nullptr), SPATTN_ERROR_ARGUMENT,
                "no CUDA device, default stream");
  } else {
    expectError(c.attentionCuda(&q, &k, &v, &o, nullptr, nullptr, nullptr, nullptr, 0),
                SPATTN_ERROR_ARGUMENT, "host pointer as device memory");
  }
}

/// Rounds `x` to `dtype` (f16 or bf16), as the device sees it.
float roundTo(spattn_dtype dtype, float x) {
  return dtype == SPATTN_BF16 ? __bfloat162float(__float2bfloat16(x))
                              : __half2float(__float2half(x));
}

/// Uploads `t` (float32, already rounded) as a contiguous 16-bit device tensor.
spattn_tensor upload(const Tensor &t, spattn_dtype dtype, void **device) {
  std::vector<uint16_t> bits(t.data.size());
  for (size_t i = 0; i < bits.size(); ++i) {
    if (dtype == SPATTN_BF16) {
      __nv_bfloat16 b = __float2bfloat16(t.data[i]);
      std::memcpy(&bits[i], &b, 2);
    } else {
      __half h = __float2half(t.data[i]);
      std::memcpy(&bits[i], &h, 2);
    }
  }
  EXPECT_EQ(cudaMalloc(device, bits.size() * 2), cudaSuccess);
  EXPECT_EQ(cudaMemcpy(*device, bits.data(), bits.size() * 2, cudaMemcpyHostToDevice),
            cudaSuccess);
  std::vector<int64_t> shape(t.desc.shape, t.desc.shape + t.desc.rank);
  return deviceTensor(*device, dtype, shape);
}

void download(const spattn_tensor &device, spattn_dtype dtype, Tensor &out) {
  std::vector<uint16_t> bits(out.data.size());
  ASSERT_EQ(cudaMemcpy(bits.data(), device.data, bits.size() * 2, cudaMemcpyDeviceToHost),
            cudaSuccess);
  for (size_t i = 0; i < bits.size(); ++i) {
    if (dtype == SPATTN_BF16) {
      __nv_bfloat16 b;
      std::memcpy(&b, &bits[i], 2);
      out.data[i] = __bfloat162float(b);
    } else {
      __half h;
      std::memcpy(&h, &bits[i], 2);
      out.data[i] = __half2float(h);
    }
  }
}

// A content-based library's device entry points check their arguments
// like any other: stage and head out of range, and no device.
TEST(CudaLibrary, BadSelectionCallsFailCleanly) {
  CudaLibrary c = load("quest", SPATTN_EXAMPLES_DIR "/quest.mlir");
  ASSERT_TRUE(c.selectionCuda);
  alignas(16) static uint16_t scratch[8];
  spattn_tensor q = deviceTensor(scratch, SPATTN_F16, {1, 32, 1, 128});
  spattn_tensor k = deviceTensor(scratch, SPATTN_F16, {1, 8, 300, 128});
  spattn_selection selection;
  int status = c.selectionCuda(&q, &k, 0, 0, 0, nullptr, &selection);
  EXPECT_NE(status, SPATTN_OK);
  EXPECT_STRNE(c.lib->lastError(), "");
  // Page bounds kept on the device: their checks come before the device's.
  using UpdateBounds = int (*)(const spattn_tensor *, int64_t, int32_t, spattn_tensor *,
                               spattn_cuda_stream);
  auto update = reinterpret_cast<UpdateBounds>(
      dlsym(c.lib->handle, "quest_update_page_bounds_cuda"));
  ASSERT_TRUE(update && dlsym(c.lib->handle, "quest_attention_with_page_bounds_cuda"));
  spattn_tensor bounds = deviceTensor(scratch, SPATTN_F32, {1, 8, 19, 256});
  auto expectError = [&](int got, int expected, const char *message) {
    EXPECT_EQ(got, expected) << c.lib->lastError();
    EXPECT_NE(std::string(c.lib->lastError()).find(message), std::string::npos)
        << c.lib->lastError();
  };
  expectError(update(&k, 0, 1, &bounds, nullptr), SPATTN_ERROR_ARGUMENT, "not a pages stage");
  expectError(update(&k, 301, 0, &bounds, nullptr), SPATTN_ERROR_ARGUMENT, "first_key");
  spattn_tensor small = deviceTensor(scratch, SPATTN_F32, {1, 8, 18, 256});
  expectError(update(&k, 0, 0, &small, nullptr), SPATTN_ERROR_SHAPE, ">= 19");
  spattn_tensor hostBounds = bounds;
  hostBounds.memory = SPATTN_MEMORY_HOST;
  expectError(update(&k, 0, 0, &hostBounds, nullptr), SPATTN_ERROR_ARGUMENT,
              "page bounds live with K");
  if (haveGpu())
    return; // the remaining checks need the call to fail before the device
  EXPECT_EQ(status, SPATTN_ERROR_ARGUMENT) << c.lib->lastError();
  size_t bytes = 0;
  EXPECT_EQ(c.workspaceSize(&q, &k, nullptr, &bytes), SPATTN_ERROR_ARGUMENT) << c.lib->lastError();
  EXPECT_EQ(update(&k, 0, 0, &bounds, nullptr), SPATTN_ERROR_ARGUMENT) << c.lib->lastError();
}

TEST(CudaLibrary, DeviceCallsMatchTheReference) {
  if (!haveGpu())
    GTEST_SKIP() << "no CUDA device: the GPU checks of CUDA libraries need one "
                    "(see bench/gpu/README.md for the device check pack)";
  int calls = 0;
  for (auto [name, spec] : kLibraries) {
    CudaLibrary c = load(name, spec);
    ASSERT_TRUE(c.attentionCuda);
    for (spattn_dtype dtype : {SPATTN_F16, SPATTN_BF16}) {
      for (auto [lq, lk] : std::vector<std::pair<int64_t, int64_t>>{
               {1, 1}, {77, 77}, {1, 1000}, {130, 4097}, {1, 4097}}) {
        if (lk > c.lib->maxLength())
          continue;
        CallShape shape{2, lq, lk};
        CallResult r = runLibrary(*c.lib, shape, 11);
        for (Tensor *t : {&r.q, &r.k, &r.v})
          for (float &x : t->data)
            x = roundTo(dtype, x);
        void *dq, *dk, *dv, *dout, *dlse;
        spattn_tensor q = upload(r.q, dtype, &dq), k = upload(r.k, dtype, &dk),
                      v = upload(r.v, dtype, &dv), o = upload(r.o, dtype, &dout);
        ASSERT_EQ(cudaMalloc(&dlse, r.lse.data.size() * 4), cudaSuccess);
        std::vector<int64_t> lseShape(r.lse.desc.shape, r.lse.desc.shape + 3);
        spattn_tensor lse = deviceTensor(dlse, SPATTN_F32, lseShape);
        size_t bytes = 0;
        ASSERT_EQ(c.workspaceSize(&q, &k, nullptr, &bytes), SPATTN_OK) << c.lib->lastError();
        void *workspace = nullptr;
        if (bytes)
          ASSERT_EQ(cudaMalloc(&workspace, bytes), cudaSuccess);
        int status = c.attentionCuda(&q, &k, &v, &o, &lse, nullptr, nullptr, workspace, bytes);
        // A dtype the library does not take (the spec's dtype decides) is an
        // error code; anything else must run.
        if (status == SPATTN_ERROR_DTYPE) {
          EXPECT_TRUE(dtype == SPATTN_BF16 || dtype == SPATTN_F16);
        } else if (status != SPATTN_OK) {
          ADD_FAILURE() << name << " (dtype " << dtype << "): " << c.lib->lastError();
        } else {
          ++calls;
          ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
          download(o, dtype, r.o);
          ASSERT_EQ(cudaMemcpy(r.lse.data.data(), dlse, r.lse.data.size() * 4,
                               cudaMemcpyDeviceToHost),
                    cudaSuccess);
          deviceSelections = {c.selectionCuda, q, k};
          LibraryApi::Selection hostSelection = c.lib->selection;
          c.lib->selection = &selectionOnDevice;
          ErrorBound bound = compareWithReference(*c.lib, shape, r, 11);
          c.lib->selection = hostSelection;
          EXPECT_LE(bound.out, 2e-2) << name << " dtype " << dtype << " Lq " << lq
                                     << " Lk " << lk;
          EXPECT_LE(bound.lse, 2e-2) << name << " dtype " << dtype << " Lq " << lq
                                     << " Lk " << lk;
        }
        for (void *p : {dq, dk, dv, dout, dlse, workspace})
          cudaFree(p);
      }
    }
  }
  EXPECT_GT(calls, 10);
}

} // namespace
} // namespace spattn::test
