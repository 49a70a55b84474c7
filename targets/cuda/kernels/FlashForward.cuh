//===- FlashForward.cuh - The fused sparse attention forward kernel -*- CUDA -*-===//
//
// FlashAttention-2's forward pass on tensor cores over a compiled block
// schedule. One block of 4 warps owns one query tile (64 rows; 16 per warp)
// of one query head, or, for decode, the rows of every query head of one kv
// head (they share each K/V tile). It walks the key tiles its schedule keeps
// (core/ScheduleWalk.h, computed on the device), copies each K and V tile to
// shared memory with cp.async (double-buffered: the next tile loads while
// this one computes), computes S = Q K^T with mma.sync, masks
// partial tiles with the token predicate (full tiles only at the key
// length), and folds S into O with an online softmax in base 2. Nothing of
// size Lq x Lk is ever stored. Split-KV blocks each take a share of the key
// tiles; combineSplits merges their partial results.
//
// Row results follow docs/semantics.md: a row that keeps no key gets O = 0
// and LSE = -inf; LSE is in natural log.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_TARGETS_CUDA_KERNELS_FLASHFORWARD_CUH
#define SPATTN_TARGETS_CUDA_KERNELS_FLASHFORWARD_CUH

#include "core/ScheduleWalk.h"
#include "targets/cuda/kernels/Mma.cuh"
#include "targets/cuda/libsupport/CudaLaunch.h"

#include <cuda_runtime.h>

#include <atomic>
#include <cmath>
#include <cstdint>

namespace spattn::cuda {

constexpr int kBlockRows = kTileRows; // query rows of a block (the schedule's tileQ)
constexpr int kBlockKeys = kTileKeys; // keys of a K/V tile (the schedule's tileK)
constexpr int kWarps = 4;
constexpr int kThreads = 32 * kWarps;

/// A compiled schedule walked in the kernel's 64 x 64 tiles.
template <typename Schedule> using KernelTiles = core::SubTiles<Schedule, kTileRows, kTileKeys>;

/// The schedule's view of a call: its tiles, the lengths, head, parameters,
/// and what the selection stages chose for (batch, head).
template <typename Schedule>
__host__ __device__ typename Schedule::Call scheduleCall(const AttentionLaunch &p,
                                                         int64_t batch, int64_t head) {
  static_assert(Schedule::kNumStages <= kMaxStages, "stages a launch carries");
  typename Schedule::Call call;
  call.geometry = {Schedule::kTileQ, Schedule::kTileK, p.queryLength, p.keyLength};
  call.head = head;
  for (int k = 0; k < Schedule::kNumParams; ++k)
    call.params[k] = p.params[k];
  for (int s = 0; s < Schedule::kNumStages; ++s)
    call.stages[s] = p.stages[s].view(batch, p.numQHeads, head);
  return call;
}

/// Element offset of (row, col) in a [rows x D] shared tile. 16-byte chunks
/// are XOR-swizzled by row so that ldmatrix's 8 rows hit distinct banks.
template <int D> __device__ __forceinline__ int tileOffset(int row, int col) {
  return row * D + (((col >> 3) ^ (row & 7)) << 3) + (col & 7);
}

/// Copies rows [0, 64) of a tile; rowAddress(r) is the row's first element
/// in global memory, or null for a row past the end (zero-filled).
template <int D, typename T, typename RowAddress>
__device__ __forceinline__ void copyTile(T *shared, const T *anyValid,
                                         RowAddress &&rowAddress) {
  constexpr int kChunks = D / 8;
  for (int c = threadIdx.x; c < kBlockRows * kChunks; c += kThreads) {
    const int row = c / kChunks, chunk = c % kChunks;
    const T *source = rowAddress(row);
    copyAsync16(shared + tileOffset<D>(row, chunk * 8),
                source ? source + chunk * 8 : anyValid, source != nullptr);
  }
}

/// Which query head and row local row r of a block holds, if any.
struct RowSlot {
  bool present;
  int64_t head, row, position;
};

__device__ __forceinline__ RowSlot rowSlot(const AttentionLaunch &p, int64_t firstHead,
                                           int64_t queryTile, int r) {
  const int64_t firstPosition = p.keyLength - p.queryLength;
  RowSlot slot;
  if (p.headsPerBlock > 1) {
    slot.head = firstHead + r / p.queryLength;
    slot.row = r % p.queryLength;
    slot.present = r < p.headsPerBlock * p.queryLength;
  } else {
    slot.head = firstHead;
    slot.row = queryTile * kBlockRows + r - firstPosition;
    slot.present = slot.row >= 0 && slot.row < p.queryLength;
  }
  slot.position = firstPosition + slot.row;
  return slot;
}

template <typename Schedule, int D, typename Input>
__global__ void __launch_bounds__(kThreads)
    attentionKernel(const AttentionLaunch p) {
  using Walk = KernelTiles<Schedule>;
  static_assert(D % 64 == 0, "head_dim 64, 128 or 256");
  using T = typename Input::Element;
  constexpr int kDimTiles = D / 8; // n-tiles of O
  // Keys per softmax step: 64, or 32 at D = 256 so S and O fit registers.
  constexpr int kKeys = D > 128 ? 32 : 64;
  // K/V buffers: two (the next tile loads during this one's math), or one
  // at D = 256, where the second buffer's addressing would spill registers.
  constexpr int kBuffers = D > 128 ? 1 : 2;
  // Q, then K and V per buffer.
  extern __shared__ __align__(128) unsigned char sharedBytes[];
  T *sQ = reinterpret_cast<T *>(sharedBytes);
  T *sKV = sQ + kBlockRows * D; // [buffer][K, V][kBlockKeys * D]

  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const int split = blockIdx.z % p.splits;
  const int64_t batch = blockIdx.z / p.splits;
  const int64_t group = p.numQHeads / p.numKVHeads;
  const int64_t firstTile = tileGeometry(p).firstQueryTile();
  const int64_t firstHead = p.headsPerBlock > 1 ? blockIdx.y * group : blockIdx.y;
  const int64_t kvHead = firstHead / group;
  const int64_t queryTile = p.headsPerBlock > 1 ? firstTile : firstTile + blockIdx.x;
  const auto call = scheduleCall<Schedule>(p, batch, firstHead);
  const typename Schedule::Query tile = Walk::query(call, queryTile);

  const T *q = static_cast<const T *>(p.q) + batch * p.qStride[0];
  const T *k = static_cast<const T *>(p.k) + batch * p.kStride[0] + kvHead * p.kStride[1];
  const T *v = static_cast<const T *>(p.v) + batch * p.vStride[0] + kvHead * p.vStride[1];

  copyTile<D>(sQ, q, [&](int r) -> const T * {
    RowSlot s = rowSlot(p, firstHead, queryTile, r);
    return s.present ? q + s.head * p.qStride[1] + s.row * p.qStride[2] : nullptr;
  });
  commitCopies();

  // This thread's two rows of the warp's 16 (mma fragment rows g and g + 8).
  const int fragmentRow = lane / 4, fragmentCol = 2 * (lane % 4);
  int64_t position[2];
  bool present[2];
  for (int h = 0; h < 2; ++h) {
    const RowSlot slot = rowSlot(p, firstHead, queryTile, warp * 16 + fragmentRow + 8 * h);
    position[h] = slot.position;
    present[h] = slot.present;
  }

  // Split-KV: this block's share of the kept key tiles, by ordinal.
  int64_t firstOrdinal = 0, endOrdinal = INT64_MAX;
  if (p.splits > 1) {
    const int64_t total = core::countKeyTiles<Walk>(call, tile);
    firstOrdinal = total * split / p.splits;
    endOrdinal = total * (split + 1) / p.splits;
  }

  float rowMax[2] = {-INFINITY, -INFINITY}, rowSum[2] = {0.f, 0.f};
  float acc[kDimTiles][4];
#pragma unroll
  for (int t = 0; t < kDimTiles; ++t)
    acc[t][0] = acc[t][1] = acc[t][2] = acc[t][3] = 0.f;

  // K and V of key tile `kt` into buffer `b`, as one commit group.
  auto copyKeyTile = [&](int64_t kt, int b) {
    const int64_t key0 = kt * kBlockKeys;
    T *sK = sKV + b * 2 * kBlockKeys * D, *sV = sK + kBlockKeys * D;
    copyTile<D>(sK, k, [&](int r) -> const T * {
      return key0 + r < p.keyLength ? k + (key0 + r) * p.kStride[2] : nullptr;
    });
    copyTile<D>(sV, v, [&](int r) -> const T * {
      return key0 + r < p.keyLength ? v + (key0 + r) * p.vStride[2] : nullptr;
    });
    commitCopies();
  };

  // This block's kept tiles: skip the earlier splits' share.
  core::KeptTile current = core::nextKeptTile<Walk>(call, tile, 0);
  for (int64_t skipped = 0; skipped < firstOrdinal && current.tile != core::kNoTile;
       ++skipped)
    current = core::nextKeptTile<Walk>(call, tile, current.tile + 1);
  int64_t remaining = endOrdinal - firstOrdinal;
  if (current.tile != core::kNoTile && remaining > 0)
    copyKeyTile(current.tile, 0);
  for (int buffer = 0; current.tile != core::kNoTile && remaining > 0;
       --remaining, buffer = (buffer + 1) % kBuffers) {
    const core::KeptTile following =
        remaining > 1 ? core::nextKeptTile<Walk>(call, tile, current.tile + 1)
                      : core::KeptTile{core::kNoTile, core::TileKind::Skipped};
    waitCopies<0>(); // this tile's K and V (and Q) have landed
    __syncthreads(); // ... for every warp, and every warp is done with the other buffer
    if (kBuffers == 2 && following.tile != core::kNoTile)
      copyKeyTile(following.tile, buffer ^ 1);
    const T *sK = sKV + buffer * 2 * kBlockKeys * D, *sV = sK + kBlockKeys * D;
    const int64_t key0 = current.tile * kBlockKeys;
    const bool partial = current.kind == core::TileKind::Partial;
    const bool ragged = key0 + kBlockKeys > p.keyLength;
    // The tile in steps of kKeys keys (fewer S registers for large D).
#pragma unroll 1
    for (int step = 0; step < kBlockKeys / kKeys; ++step) {
      const int stepKey = step * kKeys;
      // S = Q K^T for the warp's 16 rows and the step's keys.
      float s[kKeys / 8][4];
#pragma unroll
      for (int t = 0; t < kKeys / 8; ++t)
        s[t][0] = s[t][1] = s[t][2] = s[t][3] = 0.f;
#pragma unroll
      for (int kk = 0; kk < D / 16; ++kk) {
        uint32_t a[4];
        loadMatrix4(a, sQ + tileOffset<D>(warp * 16 + lane % 16, kk * 16 + (lane / 16) * 8));
#pragma unroll
        for (int nn = 0; nn < kKeys / 16; ++nn) {
          uint32_t b[4];
          loadMatrix4(b, sK + tileOffset<D>(stepKey + nn * 16 + lane % 8 + (lane / 16) * 8,
                                            kk * 16 + ((lane / 8) % 2) * 8));
          Input::mma(s[2 * nn], a, b[0], b[1]);
          Input::mma(s[2 * nn + 1], a, b[2], b[3]);
        }
      }

      // Mask: keys past Lk always, the token predicate on partial tiles
      // (rows that are not present are dropped: their positions are not
      // real); then scale into base 2.
#pragma unroll
      for (int t = 0; t < kKeys / 8; ++t)
#pragma unroll
        for (int e = 0; e < 4; ++e) {
          const int64_t key = key0 + stepKey + t * 8 + fragmentCol + (e & 1);
          bool kept = present[e / 2];
          if (ragged && kept)
            kept = key < p.keyLength;
          if (partial && kept)
            kept = Walk::keep(call, tile, position[e / 2], key);
          s[t][e] = kept ? s[t][e] * p.scaleLog2 : -INFINITY;
        }

      // Online softmax per row; the 4 threads of a quad share a row.
      float scaleOld[2];
#pragma unroll
      for (int h = 0; h < 2; ++h) {
        float m = rowMax[h];
#pragma unroll
        for (int t = 0; t < kKeys / 8; ++t)
          m = fmaxf(m, fmaxf(s[t][2 * h], s[t][2 * h + 1]));
        m = fmaxf(m, __shfl_xor_sync(0xffffffffu, m, 1));
        m = fmaxf(m, __shfl_xor_sync(0xffffffffu, m, 2));
        // All -inf so far: subtract 0 so exp2 gives 0, not NaN.
        const float base = m == -INFINITY ? 0.f : m;
        scaleOld[h] = exp2f(rowMax[h] - base);
        rowMax[h] = m;
        float sum = 0.f;
#pragma unroll
        for (int t = 0; t < kKeys / 8; ++t) {
          s[t][2 * h] = exp2f(s[t][2 * h] - base);
          s[t][2 * h + 1] = exp2f(s[t][2 * h + 1] - base);
          sum += s[t][2 * h] + s[t][2 * h + 1];
        }
        rowSum[h] = rowSum[h] * scaleOld[h] + sum;
      }
#pragma unroll
      for (int t = 0; t < kDimTiles; ++t) {
        acc[t][0] *= scaleOld[0];
        acc[t][1] *= scaleOld[0];
        acc[t][2] *= scaleOld[1];
        acc[t][3] *= scaleOld[1];
      }

      // O += P V: S's accumulator layout is P's A-fragment layout, 16 keys
      // at a time; V's rows are keys, so its B fragments load transposed.
#pragma unroll
      for (int kk = 0; kk < kKeys / 16; ++kk) {
        uint32_t a[4] = {Input::pack(s[2 * kk][0], s[2 * kk][1]),
                         Input::pack(s[2 * kk][2], s[2 * kk][3]),
                         Input::pack(s[2 * kk + 1][0], s[2 * kk + 1][1]),
                         Input::pack(s[2 * kk + 1][2], s[2 * kk + 1][3])};
#pragma unroll
        for (int dn = 0; dn < D / 16; ++dn) {
          uint32_t b[4];
          loadMatrix4Transposed(
              b, sV + tileOffset<D>(stepKey + kk * 16 + lane % 8 + ((lane / 8) % 2) * 8,
                                    dn * 16 + (lane / 16) * 8));
          Input::mma(acc[2 * dn], a, b[0], b[1]);
          Input::mma(acc[2 * dn + 1], a, b[2], b[3]);
        }
      }
    }
    if (kBuffers == 1 && following.tile != core::kNoTile) {
      __syncthreads(); // every warp is done with the only buffer
      copyKeyTile(following.tile, 0);
    }
    current = following;
  }
  waitCopies<0>(); // a block that kept no tile still has Q in flight

  // Epilogue: normalize and store (or store this split's partials).
#pragma unroll
  for (int h = 0; h < 2; ++h) {
    float sum = rowSum[h];
    sum += __shfl_xor_sync(0xffffffffu, sum, 1);
    sum += __shfl_xor_sync(0xffffffffu, sum, 2);
    const RowSlot slot = rowSlot(p, firstHead, queryTile, warp * 16 + fragmentRow + 8 * h);
    if (!slot.present)
      continue;
    const float inverse = sum > 0.f ? 1.f / sum : 0.f;
    const float lse2 = sum > 0.f ? rowMax[h] + log2f(sum) : -INFINITY;
    if (p.splits > 1) {
      const int64_t row =
          ((split * p.batch + batch) * p.numQHeads + slot.head) * p.queryLength + slot.row;
      float *out = p.partialO + row * D;
#pragma unroll
      for (int t = 0; t < kDimTiles; ++t) {
        out[t * 8 + fragmentCol] = acc[t][2 * h] * inverse;
        out[t * 8 + fragmentCol + 1] = acc[t][2 * h + 1] * inverse;
      }
      if (lane % 4 == 0)
        p.partialLse[row] = lse2;
      continue;
    }
    T *out = static_cast<T *>(p.o) + batch * p.oStride[0] + slot.head * p.oStride[1] +
             slot.row * p.oStride[2];
#pragma unroll
    for (int t = 0; t < kDimTiles; ++t)
      *reinterpret_cast<uint32_t *>(out + t * 8 + fragmentCol) =
          Input::pack(acc[t][2 * h] * inverse, acc[t][2 * h + 1] * inverse);
    if (p.lse && lane % 4 == 0)
      p.lse[batch * p.lseStride[0] + slot.head * p.lseStride[1] + slot.row] =
          lse2 * 0.69314718055994531f;
  }
}

/// Merges split-KV partials: one block per (batch, head, row), one thread
/// per element of the row.
template <int D, typename Input>
__global__ void __launch_bounds__(D) combineSplits(const AttentionLaunch p) {
  using T = typename Input::Element;
  const int64_t rows = p.batch * p.numQHeads * p.queryLength;
  const int64_t r = blockIdx.x;
  const int64_t row = r % p.queryLength, head = (r / p.queryLength) % p.numQHeads,
                batch = r / (p.queryLength * p.numQHeads);
  float most = -INFINITY;
  for (int s = 0; s < p.splits; ++s)
    most = fmaxf(most, p.partialLse[s * rows + r]);
  float sum = 0.f, value = 0.f;
  if (most != -INFINITY)
    for (int s = 0; s < p.splits; ++s) {
      const float weight = exp2f(p.partialLse[s * rows + r] - most);
      sum += weight;
      value += weight * p.partialO[(s * rows + r) * D + threadIdx.x];
    }
  T *out = static_cast<T *>(p.o) + batch * p.oStride[0] + head * p.oStride[1] +
           row * p.oStride[2];
  out[threadIdx.x] = static_cast<T>(sum > 0.f ? value / sum : 0.f);
  if (p.lse && threadIdx.x == 0)
    p.lse[batch * p.lseStride[0] + head * p.lseStride[1] + row] =
        sum > 0.f ? (most + log2f(sum)) * 0.69314718055994531f : -INFINITY;
}

/// Launches one call (and the split combine) on `stream`; never
/// synchronizes. Returns the launch's error.
template <typename Schedule, int D, typename Input>
cudaError_t launchAttention(const AttentionLaunch &p, cudaStream_t stream) {
  using T = typename Input::Element;
  constexpr int kBuffers = D > 128 ? 1 : 2; // as in attentionKernel
  constexpr int kSharedBytes = (kBlockRows + 2 * kBuffers * kBlockKeys) * D * sizeof(T);
  auto kernel = attentionKernel<Schedule, D, Input>;
  // Above 48 KiB of shared memory a kernel must opt in, once per device.
  static std::atomic<uint64_t> optedIn{0};
  int device = 0;
  if (cudaError_t e = cudaGetDevice(&device))
    return e;
  const uint64_t bit = device < 64 ? uint64_t{1} << device : 0;
  if (!(optedIn.load() & bit) || !bit) {
    if (cudaError_t e = cudaFuncSetAttribute(
            kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, kSharedBytes))
      return e;
    optedIn.fetch_or(bit);
  }
  const core::TileGeometry geometry = tileGeometry(p);
  const int64_t queryTiles =
      p.headsPerBlock > 1 ? 1 : geometry.endQueryTile() - geometry.firstQueryTile();
  const dim3 grid(static_cast<unsigned>(queryTiles),
                  static_cast<unsigned>(p.headsPerBlock > 1 ? p.numKVHeads : p.numQHeads),
                  static_cast<unsigned>(p.batch * p.splits));
  kernel<<<grid, kThreads, kSharedBytes, stream>>>(p);
  if (cudaError_t e = cudaGetLastError())
    return e;
  if (p.splits > 1) {
    combineSplits<D, Input><<<static_cast<unsigned>(p.batch * p.numQHeads * p.queryLength),
                              D, 0, stream>>>(p);
    return cudaGetLastError();
  }
  return cudaSuccess;
}

/// Key tiles query tile `queryTile` of head 0 keeps: the host's estimate of
/// a block's work, for choosing the split count. The host has no content
/// selections (they are on the device, not yet made): they count as keeping
/// every candidate, an upper bound.
template <typename Schedule>
int64_t keptKeyTiles(const AttentionLaunch &p, int64_t queryTile) {
  AttentionLaunch bound = p;
  for (StageBuffer &stage : bound.stages)
    stage = StageBuffer{};
  const auto call = scheduleCall<Schedule>(bound, 0, 0);
  using Walk = KernelTiles<Schedule>;
  return core::countKeyTiles<Walk>(call, Walk::query(call, queryTile));
}

} // namespace spattn::cuda

#endif
