//===- AttendRows.cpp - Query rows through the attend kernels -------------===//
#include "targets/cpu/libsupport/AttendRows.h"
#include "targets/cpu/halide/KernelContract.h"
#include "targets/cpu/libsupport/HalfPrecision.h"
#include "targets/cpu/libsupport/InstructionSets.h"
#include "targets/cpu/libsupport/SparsePairs.h"

#include "HalideRuntime.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

namespace spattn::cpu {

namespace {

/// A 2-D float (or byte) view for a Halide kernel argument: `outer` rows of
/// `inner` elements, `outerStride` apart (the elements of a row
/// `innerStride` apart). Halide indexes a buffer in 32 bits; rows and spans
/// of at most 1024 (the verifier's tile sizes) and the runtime's
/// SPATTN_MAX_ROW_STRIDE keep outer * outerStride below 2^31.
struct View2D {
  halide_dimension_t dims[2];
  halide_buffer_t buffer;

  View2D(const void *data, halide_type_t type, int64_t inner, int64_t outer,
         int64_t outerStride, int64_t innerStride = 1) {
    assert(inner * innerStride <= std::numeric_limits<int32_t>::max() &&
           outer * outerStride <= std::numeric_limits<int32_t>::max() &&
           "a kernel view past Halide's 32-bit index range");
    dims[0] = halide_dimension_t(0, static_cast<int32_t>(inner),
                                 static_cast<int32_t>(innerStride));
    dims[1] = halide_dimension_t(0, static_cast<int32_t>(outer),
                                 static_cast<int32_t>(outerStride));
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
constexpr float kMinusInf = -std::numeric_limits<float>::infinity();

/// Element (b, h, row) of `t`, whose elements are Ts: the first of a row of
/// rank-4 Q, K, V or O, or an LSE value.
template <typename T> T *at(const spattn_tensor &t, int64_t b, int64_t h, int64_t row) {
  return static_cast<T *>(t.data) + rt::elementOffset(t, b, h, row);
}

/// Asks for rows [row0, row0 + count) of (b, h) of rank-4 tensor `t` (any
/// dtype) to be brought into L2, without waiting for them: a sparse span's
/// kept rows are scattered, so their reads then overlap. noipa: GCC finds
/// that a function of prefetches alone writes no memory and deletes its
/// calls (measured: Quest decode steps 10-15% slower without them).
/// Into L2 (prefetcht1): into L1 (t0) or non-temporal (nta), the same
/// Quest steps took 5-30% longer on Zen 4.
__attribute__((noipa)) void prefetchRows(const spattn_tensor &t, int64_t b, int64_t h,
                                         int64_t row0, int64_t count) {
  constexpr int64_t kLine = 64;
  const int64_t size = rt::elementBytes(t.dtype);
  const int64_t rowBytes = t.shape[3] * size, strideBytes = t.strides[2] * size;
  const char *row = rt::elementAddress(t, b, h, row0);
  for (int64_t r = 0; r < count; ++r, row += strideBytes)
    for (int64_t byte = 0; byte < rowBytes; byte += kLine)
      __builtin_prefetch(row + byte, 0, 2);
}

/// The Halide type of a 16-bit tensor's elements.
halide_type_t sixteenBitType(spattn_dtype dtype) {
  return dtype == SPATTN_BF16 ? halide_type_t(halide_type_bfloat, 16)
                              : halide_type_t(halide_type_float, 16);
}

bool usesFewRows(const Call &call, const RowBlock &block) {
  return call.kernels.fullFew &&
         block.rows * block.numHeads <= call.kernels.fewRows;
}

/// Each worker thread's scratch, kept across tasks and calls.
thread_local rt::Workspace rowWorkspace;

} // namespace

RowBlock rowBlock(const Call &call, int64_t b, int64_t firstHead,
                  int64_t numHeads, int64_t qt) {
  core::TileGeometry geometry{call.variant.tileQ, call.variant.tileK,
                              call.shape.queryLength, call.shape.keyLength};
  int64_t firstPos = geometry.firstPositionOf(qt);
  int64_t lastPos = geometry.lastPositionOf(qt);
  return {b,
          firstHead,
          numHeads,
          qt,
          firstPos - geometry.firstPosition(),
          firstPos,
          lastPos - firstPos + 1,
          firstPos - qt * call.variant.tileQ};
}

RowBlock prefillBlock(const Call &call, int64_t task) {
  const int64_t qt = call.firstTile + task % call.numTiles;
  const int64_t h = task / call.numTiles % call.shape.numQHeads;
  const int64_t b = task / call.numTiles / call.shape.numQHeads;
  return rowBlock(call, b, h, 1, qt);
}

int64_t kernelRows(const Call &call, const RowBlock &block) {
  return usesFewRows(call, block) ? call.kernels.fewRows : call.variant.tileQ;
}

int attendRows(const Call &call, const RowBlock &block,
               const core::TileRanges &ranges, float *state) {
  const abi::Variant &variant = call.variant;
  const CpuKernels &kernels = call.kernels;
  const int64_t D = call.shape.headDim, BK = variant.tileK;
  // The few-row kernels take rows from 0, head after head; a full tile
  // (one head) keeps its rows at their offset in the tile.
  const bool few = usesFewRows(call, block);
  assert((few || block.numHeads == 1) && "only few-row blocks pack heads");
  const int64_t KR = kernelRows(call, block);
  const int64_t base = few ? 0 : block.offset;
  const int64_t packedRows = block.rows * block.numHeads;
  const int64_t span = kernels.span;
  const Bf16Products products = few ? Bf16Products::None : call.bf16Products;
  // The kernels for n keys whose rows are float32, or 16-bit where they lie
  // (the few-row and the vdpbf16ps kernels read those). The AMX kernels
  // always reduce over a whole span: a short one (a diagonal tile, the
  // tail) runs faster on the float32 kernels.
  auto kernelsFor = [&](int64_t n,
                        bool sixteenBit) -> std::pair<AttendFull, AttendMasked> {
    if (sixteenBit)
      return few ? std::pair{kernels.fullFew16, kernels.maskedFew16}
                 : std::pair{kernels.fullBf16Dot, kernels.maskedBf16Dot};
    if (products == Bf16Products::Amx && 2 * n >= span)
      return {kernels.fullAmx, kernels.maskedAmx};
    return few ? std::pair{kernels.fullFew, kernels.maskedFew}
               : std::pair{kernels.full, kernels.masked};
  };

  const int64_t stateSize = KR * (D + 2); // m, l, acc
  // Scratch: padded queries, their transpose, the second state, the
  // gathered panel (keys, values, mask), a span's K and V widened to
  // float32 (16-bit tensors), a span's kept diagonals (listed,
  // SparsePairs.h), a span's mask (one spare row: a kernel reading a run
  // that starts inside the span sees `span` columns from there), its kept
  // columns, full columns and diagonals.
  const int64_t diagonals = span + KR - 1;
  float *scratch = static_cast<float *>(rowWorkspace.reserve(
      sizeof(float) * (2 * KR * D + stateSize + 4 * span * D) +
      sizeof(int32_t) * diagonals + span * (2 * KR + 3) + diagonals));
  if (!scratch)
    return SPATTN_ERROR_MEMORY;
  float *transposedQueries = scratch + KR * D;
  float *cur = state, *next = transposedQueries + KR * D;
  float *panelKeys = next + stateSize, *panelValues = panelKeys + span * D;
  float *wideKeys = panelValues + span * D, *wideValues = wideKeys + span * D;
  int32_t *diagonalList = reinterpret_cast<int32_t *>(wideValues + span * D);
  uint8_t *mask = reinterpret_cast<uint8_t *>(diagonalList + diagonals);
  uint8_t *panelMask = mask + span * (KR + 1);
  uint8_t *keptColumn = panelMask + span * KR;
  uint8_t *fullColumn = keptColumn + span;
  uint8_t *keptDiagonal = fullColumn + span;
  std::fill(cur, cur + KR, kMinusInf);
  std::fill(cur + KR, cur + stateSize, 0.0f);

  // Queries: the caller's rows when they fill the kernel (one head), else a
  // padded or packed copy.
  const float *queries =
      at<const float>(call.q, block.b, block.firstHead, block.firstRow);
  int64_t queryStride = call.q.strides[2];
  if (packedRows != KR || block.numHeads > 1) {
    std::fill(scratch, scratch + KR * D, 0.0f);
    for (int64_t hi = 0; hi < block.numHeads; ++hi)
      for (int64_t r = 0; r < block.rows; ++r)
        std::copy_n(
            at<const float>(call.q, block.b, block.firstHead + hi, block.firstRow + r), D,
            scratch + (base + hi * block.rows + r) * D);
    queries = scratch;
    queryStride = D;
  }

  View2D qView(queries, kFloat, D, KR, queryStride);
  // The many-row float32 kernels read Q transposed (KernelContract.h): one
  // copy for all the block's spans.
  const bool transposed = !few && readsTransposedQueries(KR);
  if (transposed)
    for (int64_t r = 0; r < KR; ++r)
      for (int64_t d = 0; d < D; ++d)
        transposedQueries[d * KR + r] = queries[r * queryStride + d];
  View2D qtView(transposedQueries, kFloat, D, KR, 1, KR);
  halide_buffer_t *floatQueries = transposed ? &qtView.buffer : &qView.buffer;
  // K and V of the span being attended, from its first key: the caller's
  // float32 rows, or 16-bit rows widened here, and only those the span's
  // kernels read (a decode step reads K and V in their own width, and of a
  // sparse span only its kept keys). A 16-bit spec's few-row kernels, and
  // the vdpbf16ps kernels, read 16-bit K and V where they lie: only pairs
  // and the panel widen then.
  const int64_t kvHead = call.shape.kvHeadOf(block.firstHead);
  const bool sixteenBitKernels =
      call.k.dtype != SPATTN_F32 && call.v.dtype == call.k.dtype &&
      (few ? kernels.fullFew16 != nullptr : products == Bf16Products::DotPairs);
  const float *keys = nullptr, *values = nullptr;
  int64_t keyStride = 0, valueStride = 0, spanKey0 = 0;
  const HostVectors vectors = hostVectors();
  auto pointSpan = [&](int64_t key0) {
    spanKey0 = key0;
    auto rowsOf = [&](const spattn_tensor &t, float *wide, const float *&rows,
                      int64_t &stride) {
      const bool wideRows = t.dtype != SPATTN_F32;
      rows = wideRows ? wide : at<const float>(t, block.b, kvHead, key0);
      stride = wideRows ? D : t.strides[2];
    };
    rowsOf(call.k, wideKeys, keys, keyStride);
    rowsOf(call.v, wideValues, values, valueStride);
  };
  // Makes keys [jj, jj + n) of the span readable at keys / values.
  auto widenSpanKeys = [&](int64_t jj, int64_t n) {
    for (auto [t, wide] : {std::pair{&call.k, wideKeys}, std::pair{&call.v, wideValues}})
      if (t->dtype != SPATTN_F32)
        widenRows(*t, block.b, kvHead, spanKey0 + jj, n, wide + jj * D, vectors);
  };
  // Calls f(first, count) for each run of the span's kept columns.
  auto forEachKeptRun = [&](int64_t n, auto &&f) {
    for (int64_t j = 0; j < n;) {
      if (!keptColumn[j]) {
        ++j;
        continue;
      }
      int64_t end = j + 1;
      while (end < n && keptColumn[end])
        ++end;
      f(j, end - j);
      j = end;
    }
  };
  // Readies the span's kept columns for pairs and the panel (which read no
  // other key). They lie scattered (Quest's pages): every row is requested
  // first, so that their memory reads overlap instead of each run waiting
  // for its own; then 16-bit rows are widened.
  auto readyKeptColumns = [&](int64_t n) {
    forEachKeptRun(n, [&](int64_t j, int64_t count) {
      prefetchRows(call.k, block.b, kvHead, spanKey0 + j, count);
      prefetchRows(call.v, block.b, kvHead, spanKey0 + j, count);
    });
    if (call.k.dtype != SPATTN_F32 || call.v.dtype != SPATTN_F32)
      forEachKeptRun(n, widenSpanKeys);
  };
  // One kernel call: n keys and values (rows `stride` apart, float32 or,
  // for the 16-bit kernels, the call's dtype) into the running state;
  // `keepMask` (row stride `span`) is null when every row keeps every key.
  auto attend = [&](const void *k, int64_t kStride, const void *v, int64_t vStride,
                    int64_t n, const uint8_t *keepMask, bool sixteenBit = false) {
    const halide_type_t type = sixteenBit ? sixteenBitType(call.k.dtype) : kFloat;
    View2D kView(k, type, D, n, kStride);
    View2D vView(v, type, D, n, vStride);
    View1D mIn(cur, KR), lIn(cur + KR, KR), mOut(next, KR), lOut(next + KR, KR);
    View2D accIn(cur + 2 * KR, kFloat, D, KR, D);
    View2D accOut(next + 2 * KR, kFloat, D, KR, D);
    int status;
    const auto [full, masked] = kernelsFor(n, sixteenBit);
    // The AMX kernels take Q row-major.
    halide_buffer_t *q =
        kernels.fullAmx && full == kernels.fullAmx ? &qView.buffer : floatQueries;
    if (!keepMask) {
      status =
          full(q, &kView.buffer, &vView.buffer, n, call.scale, &mIn.buffer, &lIn.buffer,
               &accIn.buffer, &mOut.buffer, &lOut.buffer, &accOut.buffer);
    } else {
      View2D maskView(keepMask, kByte, span, KR, span);
      status = masked(q, &kView.buffer, &vView.buffer, &maskView.buffer, n, call.scale,
                      &mIn.buffer, &lIn.buffer, &accIn.buffer, &mOut.buffer, &lOut.buffer,
                      &accOut.buffer);
    }
    std::swap(cur, next);
    return status;
  };
  // Keys [jj, jj + n) of the span loaded last (16-bit ones widened first
  // unless the kernels read them as they lie).
  auto attendKeys = [&](int64_t jj, int64_t n, const uint8_t *keepMask) {
    if (sixteenBitKernels)
      return attend(at<const uint16_t>(call.k, block.b, kvHead, spanKey0 + jj),
                    call.k.strides[2],
                    at<const uint16_t>(call.v, block.b, kvHead, spanKey0 + jj),
                    call.v.strides[2], n, keepMask, true);
    widenSpanKeys(jj, n);
    return attend(keys + jj * keyStride, keyStride, values + jj * valueStride,
                  valueStride, n, keepMask);
  };

  // The gathered panel: kept columns of sparse partial spans, copied next to
  // each other until `span` of them fill one dense kernel call. The online
  // softmax does not care in which order keys arrive.
  int64_t panelKeysHeld = 0;
  bool panelAllKept = true; // every present row keeps every panel key
  auto flushPanel = [&]() {
    if (panelKeysHeld == 0)
      return 0;
    int status = attend(panelKeys, D, panelValues, D, panelKeysHeld,
                        panelAllKept ? nullptr : panelMask);
    panelKeysHeld = 0;
    panelAllKept = true;
    return status;
  };
  // Appends key `column` of the span loaded last, whose row keeps are
  // spanMask[r * span + column].
  auto gather = [&](const uint8_t *spanMask, int64_t column) {
    if (panelKeysHeld == span)
      if (int status = flushPanel())
        return status;
    const int64_t c = panelKeysHeld++;
    std::copy_n(keys + column * keyStride, D, panelKeys + c * D);
    std::copy_n(values + column * valueStride, D, panelValues + c * D);
    for (int64_t r = 0; r < KR; ++r) {
      uint8_t keep = spanMask[r * span + column];
      panelMask[r * span + c] = keep;
      if (r >= base && r < base + packedRows)
        panelAllKept = panelAllKept && keep;
    }
    return 0;
  };

  // Appends the keys of the span loaded last that `columns` marks (of n).
  auto gatherColumns = [&](const uint8_t *columns, int64_t n) {
    for (int64_t jj = 0; jj < n; ++jj)
      if (columns[jj])
        if (int status = gather(mask, jj))
          return status;
    return 0;
  };

  std::vector<abi::HeadState> heads;
  for (int64_t hi = 0; hi < block.numHeads; ++hi)
    heads.push_back(call.headState(block.b, block.firstHead + hi));
  const int64_t spanTiles = span / BK;
  for (const core::TileRange &range :
       core::clipRanges(ranges, 0, call.numKeyTiles))
    for (int64_t c0 = range.lo; c0 < range.hi; c0 += spanTiles) {
      int64_t key0 = c0 * BK;
      int64_t n = std::min(std::min(c0 + spanTiles, range.hi) * BK,
                           call.shape.keyLength) - key0;
      pointSpan(key0);
      if (range.kind == core::TileKind::Full) {
        if (int status = attendKeys(0, n, nullptr))
          return status;
        continue;
      }
      // keepRow writes the n bytes of each present row; the padding rows
      // and the columns past n must read 0 too.
      std::fill(mask, mask + base * span, uint8_t{0});
      std::fill(mask + (base + packedRows) * span, mask + KR * span, uint8_t{0});
      if (n < span)
        for (int64_t r = base; r < base + packedRows; ++r)
          std::fill(mask + r * span + n, mask + (r + 1) * span, uint8_t{0});
      for (int64_t hi = 0; hi < block.numHeads; ++hi)
        for (int64_t r = 0; r < block.rows; ++r)
          call.keepRow(heads[hi], block.firstRow + r, block.firstPos + r, key0, n,
                       mask + (base + hi * block.rows + r) * span);
      // The span's counts choose its form (SparsePairs.h).
      const PartialSpan partial{queries + base * queryStride,
                                queryStride,
                                keys,
                                keyStride,
                                values,
                                valueStride,
                                mask + base * span,
                                span,
                                packedRows,
                                n,
                                D,
                                call.scale};
      const int64_t keptPairs =
          scanMask(partial, keptColumn, fullColumn, keptDiagonal, vectors);
      // A partial tile may keep nothing for this query block (a stride that
      // misses it, the far side of a diagonal): runs skip such tiles.
      auto keepsAny = [&](int64_t t) {
        int64_t lo = t * BK, hi = std::min((t + 1) * BK, n);
        return std::find(keptColumn + lo, keptColumn + hi, uint8_t{1}) !=
               keptColumn + hi;
      };
      const int64_t tiles = (n + BK - 1) / BK;
      int64_t runKeys = 0;
      for (int64_t t = 0; t < tiles; ++t)
        if (keepsAny(t))
          runKeys += std::min((t + 1) * BK, n) - t * BK;
      int64_t visits = 0;
      int64_t keptDiagonals = listDiagonals(partial, keptDiagonal, diagonalList, visits);
      SpanCounts counts{KR,
                        runKeys,
                        std::count(keptColumn, keptColumn + n, uint8_t{1}),
                        keptPairs,
                        visits,
                        packedRows,
                        std::count(fullColumn, fullColumn + n, uint8_t{1})};
      const SpanForm form = cheapestForm(counts);
      if (form != SpanForm::Runs)
        readyKeptColumns(n);
      switch (form) {
      case SpanForm::PanelAndPairs:
        if (int status = gatherColumns(fullColumn, n))
          return status;
        // The rest: the mask without those columns, and its diagonals.
        dropColumns(mask + base * span, span, packedRows, n, fullColumn);
        scanMask(partial, keptColumn, fullColumn, keptDiagonal, vectors);
        keptDiagonals = listDiagonals(partial, keptDiagonal, diagonalList, visits);
        [[fallthrough]];
      case SpanForm::Pairs:
        attendPairs(partial, diagonalList, keptDiagonals,
                    {cur + base, cur + KR + base, cur + 2 * KR + base * D, D},
                    vectors);
        break;
      case SpanForm::Panel:
        if (int status = gatherColumns(keptColumn, n))
          return status;
        break;
      case SpanForm::Runs:
        for (int64_t t = 0; t < tiles;) {
          if (!keepsAny(t)) {
            ++t;
            continue;
          }
          int64_t t1 = t + 1;
          while (t1 < tiles && keepsAny(t1))
            ++t1;
          const int64_t runLength = std::min(t1 * BK, n) - t * BK;
          if (int status = attendKeys(t * BK, runLength, mask + t * BK))
            return status;
          t = t1;
        }
        break;
      }
    }
  if (int status = flushPanel())
    return status;
  if (cur != state)
    std::copy_n(cur, stateSize, state);
  return 0;
}

void combineStates(const Call &call, const RowBlock &block, float *states,
                   int64_t stride, int64_t count) {
  const int64_t D = call.shape.headDim, KR = kernelRows(call, block);
  float *m = states, *l = states + KR, *acc = states + 2 * KR;
  for (int64_t s = 1; s < count; ++s) {
    const float *other = states + s * stride;
    for (int64_t r = 0; r < KR; ++r) {
      float mo = other[r];
      if (mo == kMinusInf)
        continue; // that slice kept nothing of this row
      float mNew = std::max(m[r], mo);
      float a = m[r] == kMinusInf ? 0.0f : std::exp(m[r] - mNew);
      float b = std::exp(mo - mNew);
      l[r] = l[r] * a + other[KR + r] * b;
      const float *accOther = other + 2 * KR + r * D;
      for (int64_t d = 0; d < D; ++d)
        acc[r * D + d] = acc[r * D + d] * a + accOther[d] * b;
      m[r] = mNew;
    }
  }
}

namespace {

/// Calls f(h, row, m, l, acc) for each of the block's rows in `state`.
template <typename F>
void forEachStateRow(const Call &call, const RowBlock &block, const float *state, F &&f) {
  const int64_t D = call.shape.headDim, KR = kernelRows(call, block);
  const int64_t base = usesFewRows(call, block) ? 0 : block.offset;
  for (int64_t hi = 0; hi < block.numHeads; ++hi)
    for (int64_t r = 0; r < block.rows; ++r) {
      const int64_t t = base + hi * block.rows + r;
      f(block.firstHead + hi, block.firstRow + r, state[t], state[KR + t],
        state + 2 * KR + t * D);
    }
}

} // namespace

void writeRows(const Call &call, const RowBlock &block, const float *state) {
  const int64_t D = call.shape.headDim;
  forEachStateRow(call, block, state,
                  [&](int64_t h, int64_t row, float m, float l, const float *acc) {
                    float *out = at<float>(call.o, block.b, h, row);
                    for (int64_t d = 0; d < D; ++d)
                      out[d] = l > 0 ? acc[d] / l : 0.0f;
                    if (call.lse)
                      *at<float>(*call.lse, block.b, h, row) =
                          l > 0 ? m + std::log(l) : kMinusInf;
                  });
}

void mergeRows(const Call &call, const RowBlock &block, const float *state) {
  assert(call.lse && "merging needs the LSE of the rows written");
  const int64_t D = call.shape.headDim;
  forEachStateRow(call, block, state,
                  [&](int64_t h, int64_t row, float m, float l, const float *acc) {
                    if (!(l > 0))
                      return; // no key here: the written row stands
                    float *out = at<float>(call.o, block.b, h, row);
                    float *lse = at<float>(*call.lse, block.b, h, row);
                    // out = O_w exp(LSE_w - LSE) + (acc / l) exp(m + log l - LSE).
                    const float written = *lse, here = m + std::log(l);
                    const float total =
                        written == kMinusInf
                            ? here
                            : std::max(written, here) +
                                  std::log1p(std::exp(-std::abs(written - here)));
                    const float keep =
                        written == kMinusInf ? 0.0f : std::exp(written - total);
                    const float add = std::exp(m - total);
                    for (int64_t d = 0; d < D; ++d)
                      out[d] = out[d] * keep + acc[d] * add;
                    *lse = total;
                  });
}

} // namespace spattn::cpu
