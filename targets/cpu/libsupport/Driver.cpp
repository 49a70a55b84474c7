//===- Driver.cpp - The shared attention driver of CPU libraries ----------===//
//
// Per call: check the arguments, pick the variant for Lk (the runtime's
// spattn/library_abi.hpp does the target-independent parts), evaluate the
// schedule parameters at Lk, run the selection stages per (batch, head),
// then per (batch, head, query tile), in parallel on Halide's thread pool,
// walk the tile ranges span by span through the attend kernels (full spans
// unmasked, partial spans with the generated token predicate) and write
// O = acc / l and LSE = m + log l.
//
//===----------------------------------------------------------------------===//
#include "targets/cpu/libsupport/CpuKernels.hpp"
#include "targets/cpu/libsupport/HalfPrecision.h"
#include "targets/cpu/libsupport/InstructionSets.h"

#include "spattn/runtime_internal.hpp"

#include "HalideRuntime.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace spattn::cpu {

namespace {

/// A 2-D float (or byte) view for a Halide kernel argument.
struct View2D {
  halide_dimension_t dims[2];
  halide_buffer_t buffer;

  View2D(const void *data, halide_type_t type, int32_t inner, int32_t outer,
         int32_t outerStride) {
    dims[0] = halide_dimension_t(0, inner, 1);
    dims[1] = halide_dimension_t(0, outer, outerStride);
    buffer = {};
    buffer.host = static_cast<uint8_t *>(const_cast<void *>(data));
    buffer.type = type;
    buffer.dimensions = 2;
    buffer.dim = dims;
  }
  View2D(const View2D &) = delete;
};

struct View1D {
  halide_dimension_t dim;
  halide_buffer_t buffer;

  View1D(float *data, int32_t extent) : dim(0, extent, 1) {
    buffer = {};
    buffer.host = reinterpret_cast<uint8_t *>(data);
    buffer.type = halide_type_t(halide_type_float, 32);
    buffer.dimensions = 1;
    buffer.dim = &dim;
  }
  View1D(const View1D &) = delete;
};

const halide_type_t kFloat(halide_type_float, 32);
const halide_type_t kByte(halide_type_uint, 8);

float *at(const spattn_tensor &t, int64_t b, int64_t h, int64_t row) {
  return static_cast<float *>(t.data) + b * t.strides[0] + h * t.strides[1] +
         row * t.strides[2];
}

using abi::HeadState;
using abi::StageResult;
using core::TileKind;
using core::TileRange;
using core::TileRanges;

/// Everything one call shares between its parallel tasks.
struct Call {
  const abi::Library &library;
  const abi::Variant &variant;
  const CpuKernels &kernels;
  const rt::CallShape &shape;
  const spattn_tensor &q, &k, &v, &o;
  const spattn_tensor *lse;
  std::vector<int64_t> params;
  std::vector<StageResult> stages; // [B * Hq * numStages]
  float scale;
  int64_t firstTile, numTiles, numKeyTiles;

  HeadState headState(int64_t b, int64_t h) const {
    return {params.data(), h,
            {variant.tileQ, variant.tileK, shape.queryLength, shape.keyLength},
            stages.data() + (b * shape.numQHeads + h) * library.numStages};
  }
};

int selectTask(void *, int task, uint8_t *closure) {
  Call &call = *reinterpret_cast<Call *>(closure);
  int64_t b = task / call.shape.numQHeads, h = task % call.shape.numQHeads;
  call.variant.select(abi::stageInputs(call.library, call.shape, call.q, call.k, b, h),
                      call.params.data(), h,
                      call.stages.data() +
                          static_cast<size_t>(task) * call.library.numStages);
  return 0;
}

/// Each worker thread's scratch (padded queries, two online-softmax states,
/// a span's mask), kept across tasks and calls.
thread_local rt::Workspace tileWorkspace;

/// Runs the tiles of one (batch, head, query tile).
int tileTask(void *, int task, uint8_t *closure) {
  Call &call = *reinterpret_cast<Call *>(closure);
  const abi::Variant &variant = call.variant;
  const CpuKernels &kernels = call.kernels;
  const rt::CallShape &shape = call.shape;
  const int64_t D = shape.headDim, BQ = variant.tileQ, BK = variant.tileK;
  int64_t qt = call.firstTile + task % call.numTiles;
  int64_t h = (task / call.numTiles) % shape.numQHeads;
  int64_t b = task / call.numTiles / shape.numQHeads;
  HeadState state = call.headState(b, h);
  const core::TileGeometry &geometry = state.geometry;
  int64_t firstPos = geometry.firstPositionOf(qt), lastPos = geometry.lastPositionOf(qt);
  int64_t firstRow = firstPos - geometry.firstPosition();
  int64_t offset = firstPos - qt * BQ, rows = lastPos - firstPos + 1;

  // Both strategies visit only the kept tiles: on the CPU, skipping a tile
  // costs nothing and the kernels' cost follows the span they are given.
  TileRanges ranges =
      core::clipRanges(variant.ranges(state, qt), 0, call.numKeyTiles);

  // Few present rows (decode, a chunk's ragged first tile) run the small
  // kernels; their rows start at 0 instead of at the tile's offset.
  const bool few = kernels.fullFew && rows <= kernels.fewRows;
  const int64_t KR = few ? kernels.fewRows : BQ; // rows a kernel computes
  const int64_t base = few ? 0 : offset;         // kernel row of firstRow
  AttendFull full = few ? kernels.fullFew : kernels.full;
  AttendMasked masked = few ? kernels.maskedFew : kernels.masked;
  const int64_t span = kernels.span;

  const int64_t stateSize = KR * (D + 2); // m, l, acc
  // The mask gets one spare row: a kernel reading a run that starts inside
  // the span sees `span` columns from there.
  float *scratch = static_cast<float *>(tileWorkspace.reserve(
      sizeof(float) * (KR * D + 2 * stateSize) + span * (KR + 1)));
  if (!scratch)
    return SPATTN_ERROR_MEMORY;
  float *cur = scratch + KR * D, *next = cur + stateSize;
  uint8_t *mask = reinterpret_cast<uint8_t *>(next + stateSize);
  std::fill(cur, cur + KR, -std::numeric_limits<float>::infinity());
  std::fill(cur + KR, cur + stateSize, 0.0f);

  // Queries: the caller's rows when they fill the kernel, else a padded copy.
  const float *queries = at(call.q, b, h, firstRow);
  int64_t queryStride = call.q.strides[2];
  if (rows != KR) {
    std::fill(scratch, scratch + KR * D, 0.0f);
    for (int64_t r = 0; r < rows; ++r)
      std::copy_n(at(call.q, b, h, firstRow + r), D, scratch + (base + r) * D);
    queries = scratch;
    queryStride = D;
  }

  View2D qView(queries, kFloat, D, KR, queryStride);
  const float *keys = at(call.k, b, call.shape.kvHeadOf(h), 0);
  const float *values = at(call.v, b, call.shape.kvHeadOf(h), 0);
  // One kernel call: keys [key0, key0 + n) into the running state; `spanMask`
  // (row stride `span`) is null for full tiles.
  auto attend = [&](int64_t key0, int64_t n, const uint8_t *spanMask) {
    View2D kView(keys + key0 * call.k.strides[2], kFloat, D, n, call.k.strides[2]);
    View2D vView(values + key0 * call.v.strides[2], kFloat, D, n, call.v.strides[2]);
    View1D mIn(cur, KR), lIn(cur + KR, KR), mOut(next, KR), lOut(next + KR, KR);
    View2D accIn(cur + 2 * KR, kFloat, D, KR, D);
    View2D accOut(next + 2 * KR, kFloat, D, KR, D);
    int status;
    if (!spanMask) {
      status = full(&qView.buffer, &kView.buffer, &vView.buffer, n, call.scale,
                    &mIn.buffer, &lIn.buffer, &accIn.buffer, &mOut.buffer,
                    &lOut.buffer, &accOut.buffer);
    } else {
      View2D maskView(spanMask, kByte, span, KR, span);
      status = masked(&qView.buffer, &kView.buffer, &vView.buffer,
                      &maskView.buffer, n, call.scale, &mIn.buffer, &lIn.buffer,
                      &accIn.buffer, &mOut.buffer, &lOut.buffer, &accOut.buffer);
    }
    std::swap(cur, next);
    return status;
  };

  const int64_t spanTiles = span / BK;
  for (const TileRange &range : ranges)
    for (int64_t c0 = range.lo; c0 < range.hi; c0 += spanTiles) {
      int64_t key0 = c0 * BK;
      int64_t n = std::min(std::min(c0 + spanTiles, range.hi) * BK,
                           shape.keyLength) - key0;
      if (range.kind == TileKind::Full) {
        if (int status = attend(key0, n, nullptr))
          return status;
        continue;
      }
      std::fill(mask, mask + span * KR, uint8_t{0});
      for (int64_t r = 0; r < rows; ++r)
        variant.keepRow(state, firstRow + r, firstPos + r, key0, n,
                        mask + (base + r) * span);
      // A partial tile may keep nothing for this query tile (a stride that
      // misses it, the far side of a diagonal): call the kernel only on
      // runs of tiles with a kept pair.
      auto keepsAny = [&](int64_t t) {
        int64_t lo = t * BK, hi = std::min((t + 1) * BK, n);
        for (int64_t r = base; r < base + rows; ++r) {
          const uint8_t *row = mask + r * span;
          if (std::find(row + lo, row + hi, uint8_t{1}) != row + hi)
            return true;
        }
        return false;
      };
      int64_t tiles = (n + BK - 1) / BK;
      for (int64_t t = 0; t < tiles;) {
        if (!keepsAny(t)) {
          ++t;
          continue;
        }
        int64_t t1 = t + 1;
        while (t1 < tiles && keepsAny(t1))
          ++t1;
        if (int status = attend(key0 + t * BK, std::min(t1 * BK, n) - t * BK,
                                mask + t * BK))
          return status;
        t = t1;
      }
    }

  for (int64_t r = 0; r < rows; ++r) {
    int64_t t = base + r;
    float m = cur[t], l = cur[KR + t];
    const float *acc = cur + 2 * KR + t * D;
    float *out = at(call.o, b, h, firstRow + r);
    for (int64_t d = 0; d < D; ++d)
      out[d] = l > 0 ? acc[d] / l : 0.0f;
    if (call.lse)
      static_cast<float *>(call.lse->data)[b * call.lse->strides[0] +
                                           h * call.lse->strides[1] +
                                           (firstRow + r) * call.lse->strides[2]] =
          l > 0 ? m + std::log(l) : -std::numeric_limits<float>::infinity();
  }
  return 0;
}


/// A checked float32 call.
int attendFloat(const abi::Library &library, const CpuKernels *kernels,
                const rt::CallShape &shape, const spattn_tensor *q,
                const spattn_tensor *k, const spattn_tensor *v, spattn_tensor *o,
                spattn_tensor *lse, const spattn_options *options) {
  const abi::Variant *variant = nullptr;
  if (int status = abi::findVariant(library, shape.keyLength, variant))
    return status;
  if (options && options->num_threads < 0)
    return rt::fail(SPATTN_ERROR_ARGUMENT, "num_threads must be >= 0");
  if (options && options->num_threads > 0)
    halide_set_num_threads(options->num_threads);
  applyInstructionSetCap();

  Call call{library, *variant, kernels[variant - library.variants], shape, *q, *k, *v, *o,
            lse, abi::parametersAt(*variant, shape.keyLength), {},
            static_cast<float>(library.scale), 0, 0, 0};
  core::TileGeometry geometry{variant->tileQ, variant->tileK,
                              shape.queryLength, shape.keyLength};
  call.firstTile = geometry.firstQueryTile();
  call.numTiles = geometry.endQueryTile() - call.firstTile;
  call.numKeyTiles = geometry.numKeyTiles();
  int heads = static_cast<int>(shape.batch * shape.numQHeads);
  if (library.numStages > 0) {
    call.stages.resize(static_cast<size_t>(heads) * library.numStages);
    halide_do_par_for(nullptr, selectTask, 0, heads,
                      reinterpret_cast<uint8_t *>(&call));
  }
  int64_t tasks = heads * call.numTiles;
  if (tasks > std::numeric_limits<int>::max())
    return rt::fail(SPATTN_ERROR_SHAPE, "too many query tiles in one call");
  int status = halide_do_par_for(nullptr, tileTask, 0, static_cast<int>(tasks),
                                 reinterpret_cast<uint8_t *>(&call));
  if (status == SPATTN_ERROR_MEMORY)
    return rt::fail(SPATTN_ERROR_MEMORY, std::string(library.name) +
                                             ": no memory for a tile's workspace");
  if (status != 0)
    return rt::fail(SPATTN_ERROR_INTERNAL,
                    std::string(library.name) + ": a kernel failed with status " +
                        std::to_string(status));
  return SPATTN_OK;
}

} // namespace

int attention(const abi::Library &library, const CpuKernels *kernels,
              const rt::TargetAccepts &accepts, const spattn_tensor *q,
              const spattn_tensor *k, const spattn_tensor *v, spattn_tensor *o,
              spattn_tensor *lse, const spattn_options *options) {
  rt::CallShape shape;
  if (int status = rt::checkAttention(library.shape(accepts), q, k, v, o, lse, shape))
    return status;
  if (q->dtype == SPATTN_F32)
    return attendFloat(library, kernels, shape, q, k, v, o, lse, options);
  // bf16 / fp16: through float32 copies (HalfPrecision.h).
  std::vector<float> qs, ks, vs, os;
  spattn_tensor wq = widenToFloat(*q, qs), wk = widenToFloat(*k, ks),
                wv = widenToFloat(*v, vs), wo = floatLike(*o, os);
  if (int status = attendFloat(library, kernels, shape, &wq, &wk, &wv, &wo, lse, options))
    return status;
  narrowFromFloat(wo, *o);
  return SPATTN_OK;
}

} // namespace spattn::cpu
