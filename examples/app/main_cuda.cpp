// The CUDA half of the example app: window_sinks built with TARGETS cpu cuda
// runs bfloat16 and float16 device tensors through the stream-ordered
// window_sinks_attention_cuda (on a stream of its own, with a workspace of
// window_sinks_workspace_size bytes) and checks O and LSE against the same
// library's cpu target, run on the same 16-bit-rounded inputs as float32.
// Without a CUDA device it prints "no CUDA device: skipped" and exits 0.
#include "window_sinks.h" // C API window_sinks_*, C++ namespace window_sinks

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <vector>

namespace {

// The spec's shape (window_sinks.mlir).
constexpr int64_t kHeadDim = 64, kQHeads = 4, kKVHeads = 2;

// One 16-bit input type and how close to the cpu target it must come: O is
// stored in that type and the kernels round the softmax weights to it.
struct Type {
  const char *name;
  spattn_dtype dtype;
  double toleranceO;
};
const Type kTypes[] = {{"bf16", SPATTN_BF16, 2e-2}, {"f16", SPATTN_F16, 5e-3}};
constexpr double kToleranceLse = 1e-3; // LSE is float32 either way

// Round-to-nearest conversions on the host, through the raw bit views.
uint16_t toBits(float x, spattn_dtype dtype) {
  if (dtype == SPATTN_BF16)
    return __nv_bfloat16_raw(__float2bfloat16_rn(x)).x;
  return __half_raw(__float2half_rn(x)).x;
}

float fromBits(uint16_t bits, spattn_dtype dtype) {
  if (dtype == SPATTN_BF16) {
    __nv_bfloat16_raw raw;
    raw.x = bits;
    return __bfloat162float(raw);
  }
  __half_raw raw;
  raw.x = bits;
  return __half2float(raw);
}

bool ok(cudaError_t status, const char *what) {
  if (status != cudaSuccess)
    std::printf("FAIL %s: %s\n", what, cudaGetErrorString(status));
  return status == cudaSuccess;
}

// Device memory freed on scope exit, so that a failed case leaks nothing.
struct DeviceBuffer {
  void *data = nullptr;
  DeviceBuffer() = default;
  DeviceBuffer(const DeviceBuffer &) = delete;
  DeviceBuffer &operator=(const DeviceBuffer &) = delete;
  ~DeviceBuffer() { cudaFree(data); }
  bool allocate(size_t bytes) { return bytes == 0 || ok(cudaMalloc(&data, bytes), "cudaMalloc"); }
};

// A contiguous descriptor of device memory on device 0.
spattn_tensor deviceTensor(void *data, spattn_dtype dtype, std::vector<int64_t> shape) {
  spattn_tensor t = spattn_contiguous(data, dtype, int32_t(shape.size()), shape.data());
  t.memory = SPATTN_MEMORY_CUDA;
  t.device = 0;
  return t;
}

struct Case {
  const char *what;
  int64_t batch, lq, lk;
};

// Random values in [-1, 1] that `dtype` holds exactly, as float32 for the cpu
// target and as 16-bit bits for the device.
void randomInputs(size_t size, spattn_dtype dtype, std::mt19937 &rng,
                  std::vector<float> &values, std::vector<uint16_t> &bits) {
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  values.resize(size);
  bits.resize(size);
  for (size_t n = 0; n < size; ++n) {
    bits[n] = toBits(dist(rng), dtype);
    values[n] = fromBits(bits[n], dtype);
  }
}

double maxAbsError(const std::vector<float> &got, const std::vector<float> &want) {
  double worst = 0;
  for (size_t n = 0; n < got.size(); ++n) {
    double e = std::fabs(double(got[n]) - double(want[n]));
    if (!(e <= worst)) // NaN counts as infinitely wrong
      worst = std::isnan(e) ? INFINITY : e;
  }
  return worst;
}

bool runCase(const Case &c, const Type &type, cudaStream_t stream, std::mt19937 &rng) {
  const int64_t qSize = c.batch * kQHeads * c.lq * kHeadDim;
  const int64_t kvSize = c.batch * kKVHeads * c.lk * kHeadDim;
  const int64_t lseSize = c.batch * kQHeads * c.lq;
  std::vector<float> q, k, v;
  std::vector<uint16_t> qBits, kBits, vBits;
  randomInputs(qSize, type.dtype, rng, q, qBits);
  randomInputs(kvSize, type.dtype, rng, k, kBits);
  randomInputs(kvSize, type.dtype, rng, v, vBits);

  DeviceBuffer dq, dk, dv, dout, dlse, workspace;
  if (!dq.allocate(qSize * 2) || !dk.allocate(kvSize * 2) || !dv.allocate(kvSize * 2) ||
      !dout.allocate(qSize * 2) || !dlse.allocate(lseSize * sizeof(float)))
    return false;
  spattn_tensor tq = deviceTensor(dq.data, type.dtype, {c.batch, kQHeads, c.lq, kHeadDim});
  spattn_tensor tk = deviceTensor(dk.data, type.dtype, {c.batch, kKVHeads, c.lk, kHeadDim});
  spattn_tensor tv = deviceTensor(dv.data, type.dtype, {c.batch, kKVHeads, c.lk, kHeadDim});
  spattn_tensor to = deviceTensor(dout.data, type.dtype, {c.batch, kQHeads, c.lq, kHeadDim});
  spattn_tensor tlse = deviceTensor(dlse.data, SPATTN_F32, {c.batch, kQHeads, c.lq});

  // The workspace depends on the shapes only (split-KV partials); the call
  // itself never allocates.
  size_t workspaceBytes = 0;
  if (window_sinks_workspace_size(&tq, &tk, nullptr, &workspaceBytes) != SPATTN_OK) {
    std::printf("FAIL %s: window_sinks_workspace_size: %s\n", c.what, window_sinks_last_error());
    return false;
  }
  if (!workspace.allocate(workspaceBytes))
    return false;

  // Stream-ordered: copy in, attend, copy out, then wait once.
  std::vector<uint16_t> oBits(qSize);
  std::vector<float> lse(lseSize);
  if (!ok(cudaMemcpyAsync(dq.data, qBits.data(), qSize * 2, cudaMemcpyHostToDevice, stream), "copy Q") ||
      !ok(cudaMemcpyAsync(dk.data, kBits.data(), kvSize * 2, cudaMemcpyHostToDevice, stream), "copy K") ||
      !ok(cudaMemcpyAsync(dv.data, vBits.data(), kvSize * 2, cudaMemcpyHostToDevice, stream), "copy V"))
    return false;
  int status = window_sinks_attention_cuda(&tq, &tk, &tv, &to, &tlse, nullptr, stream,
                                           workspace.data, workspaceBytes);
  if (status != SPATTN_OK) {
    std::printf("FAIL %s %s: %s: %s\n", c.what, type.name, spattn_status_string(status),
                window_sinks_last_error());
    return false;
  }
  if (!ok(cudaMemcpyAsync(oBits.data(), dout.data, qSize * 2, cudaMemcpyDeviceToHost, stream), "copy O") ||
      !ok(cudaMemcpyAsync(lse.data(), dlse.data, lseSize * sizeof(float), cudaMemcpyDeviceToHost, stream),
          "copy LSE") ||
      !ok(cudaStreamSynchronize(stream), "the attention call"))
    return false;
  std::vector<float> o(qSize);
  for (int64_t n = 0; n < qSize; ++n)
    o[n] = fromBits(oBits[n], type.dtype);

  // The cpu target on the same (rounded) inputs, in float32 host memory.
  std::vector<float> refO(qSize), refLse(lseSize);
  spattn_tensor hq = spattn::tensor(q.data(), c.batch, kQHeads, c.lq, kHeadDim);
  spattn_tensor hk = spattn::tensor(k.data(), c.batch, kKVHeads, c.lk, kHeadDim);
  spattn_tensor hv = spattn::tensor(v.data(), c.batch, kKVHeads, c.lk, kHeadDim);
  spattn_tensor ho = spattn::tensor(refO.data(), c.batch, kQHeads, c.lq, kHeadDim);
  spattn_tensor hlse = spattn::tensor(refLse.data(), c.batch, kQHeads, c.lq);
  try {
    window_sinks::attention(hq, hk, hv, ho, &hlse);
  } catch (const spattn::Error &e) {
    std::printf("FAIL %s: the cpu target: %s\n", c.what, e.what());
    return false;
  }

  double errO = maxAbsError(o, refO), errLse = maxAbsError(lse, refLse);
  bool good = errO <= type.toleranceO && errLse <= kToleranceLse;
  std::printf("%s %-15s %-4s B=%lld Lq=%-4lld Lk=%-4lld max|O-cpu|=%.2e "
              "max|LSE-cpu|=%.2e workspace %zu bytes\n",
              good ? "ok  " : "FAIL", c.what, type.name, (long long)c.batch, (long long)c.lq,
              (long long)c.lk, errO, errLse, workspaceBytes);
  return good;
}

} // namespace

int main() {
  int devices = 0;
  cudaError_t found = cudaGetDeviceCount(&devices);
  if (found != cudaSuccess || devices == 0) {
    std::printf("no CUDA device: skipped (%s)\n",
                found != cudaSuccess ? cudaGetErrorString(found) : "none found");
    return 0;
  }
  cudaDeviceProp properties;
  if (!ok(cudaSetDevice(0), "cudaSetDevice") ||
      !ok(cudaGetDeviceProperties(&properties, 0), "cudaGetDeviceProperties"))
    return 1;
  std::printf("device 0: %s (sm_%d%d)\n", properties.name, properties.major, properties.minor);

  cudaStream_t stream;
  if (!ok(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), "cudaStreamCreate"))
    return 1;
  std::mt19937 rng(2024);
  const Case cases[] = {
      {"prefill", 1, 100, 100},         // bucket 0
      {"prefill", 2, 700, 700},         // bucket 1
      {"decode", 1, 1, 1800},           // bucket 1, one query row
      {"chunked-prefill", 1, 48, 3000}, // bucket 2, last 48 rows
  };
  bool good = true;
  for (const Type &type : kTypes)
    for (const Case &c : cases)
      good &= runCase(c, type, stream, rng);
  cudaStreamDestroy(stream);
  std::printf("%s\n", good ? "PASS" : "FAIL");
  return good ? 0 : 1;
}
