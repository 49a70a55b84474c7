//===- ResidueClasses.cpp - A strided pattern's classes as dense attention ===//
#include "targets/cpu/libsupport/ResidueClasses.h"
#include "targets/cpu/libsupport/ParallelTasks.h"

#include "core/IntegerMath.h"

#include <algorithm>
#include <limits>

namespace spattn::cpu {

namespace {

/// The largest row stride of `call`'s Q, K, V, O (and LSE), in elements.
int64_t largestRowStride(const Call &call) {
  int64_t stride = std::max(
      {call.q.strides[2], call.k.strides[2], call.v.strides[2], call.o.strides[2]});
  return call.lse ? std::max(stride, call.lse->strides[2]) : stride;
}

/// Rows [first, first + count) taken every `step`-th: the same tensor with
/// `step` times its row stride.
spattn_tensor everyNthRow(const spattn_tensor &t, int64_t first, int64_t count,
                          int64_t step) {
  spattn_tensor view = t;
  view.data = rt::elementAddress(t, 0, 0, first);
  view.shape[2] = count;
  view.strides[2] = t.strides[2] * step;
  return view;
}

/// Class space's mask on a partial span: causal (a class keeps its every
/// key without the causal mask, so it has no partial span then).
void causalRow(const abi::HeadState &, int64_t, int64_t pos, int64_t key0, int64_t n,
               uint8_t *out) {
  const int64_t kept = std::clamp<int64_t>(pos - key0 + 1, 0, n);
  std::fill(out, out + kept, uint8_t{1});
  std::fill(out + kept, out + n, uint8_t{0});
}

/// The tensors and sizes of one class, which its Call refers to.
struct ClassViews {
  spattn_tensor q, k, v, o, lse;
  rt::CallShape shape;
};

struct ClassWork {
  bool causal;
  std::vector<ClassViews> views; // never reallocated once the calls refer to it
  std::vector<Call> calls;
  std::vector<int64_t> firstTask; // per call, and the total at the end
};

thread_local rt::Workspace classState;

int classTask(void *, int task, uint8_t *closure) {
  const ClassWork &work = *reinterpret_cast<const ClassWork *>(closure);
  const size_t c = std::upper_bound(work.firstTask.begin(), work.firstTask.end(), task) -
                   work.firstTask.begin() - 1;
  const Call &call = work.calls[c];
  const RowBlock block = prefillBlock(call, task - work.firstTask[c]);
  float *state =
      static_cast<float *>(classState.reserve(sizeof(float) * stateFloats(call, block)));
  if (!state)
    return SPATTN_ERROR_MEMORY;
  // Within a class every key is kept (causal: every key at or before the row).
  const int64_t BK = call.variant.tileK;
  core::TileRanges ranges;
  if (work.causal) {
    const int64_t fullEnd = (block.firstPos + 1) / BK;
    ranges = core::normalizeRanges(
        {{0, fullEnd, core::TileKind::Full},
         {fullEnd, (block.firstPos + block.rows - 1) / BK + 1, core::TileKind::Partial}});
  } else {
    ranges = {{0, call.numKeyTiles, core::TileKind::Full}};
  }
  if (int status = attendRows(call, block, ranges, state))
    return status;
  mergeRows(call, block, state);
  return 0;
}

} // namespace

int64_t residueModulus(const Call &call) {
  const abi::ResidueClasses *classes = call.variant.residueClasses;
  if (!classes)
    return 0;
  const int64_t t = classes->modulus(call.headState(0, 0));
  // A class of fewer rows than a query tile still pays for the tile's rows
  // in every kernel call, and each of its tasks for its set-up: with
  // sparse_transformer on Zen 4 the classes lost at 32 rows a class
  // (L = 1K, 64-row tiles), broke even at 45 and won from 55 (L = 3K,
  // 20% faster; docs/cpu-backend.md).
  if (t < 1 || 4 * call.shape.queryLength < 3 * t * call.variant.tileQ)
    return 0;
  // A class view's row stride is t times the caller's; a kernel view spans
  // up to max(span, tileQ) of its rows in 32-bit offsets.
  const int64_t rows = std::max(call.kernels.span, call.variant.tileQ);
  if (t > std::numeric_limits<int32_t>::max() / rows /
              std::max<int64_t>(1, largestRowStride(call)))
    return 0;
  return t;
}

core::TileRanges restTiles(const Call &call, const RowBlock &block,
                           const core::TileRanges &ranges, int64_t t) {
  const int64_t BK = call.variant.tileK;
  const int64_t lastPos = block.firstPos + block.rows - 1;
  // Row p and key j pair in the class iff p - j is a multiple of t.
  auto holdsClassPair = [&](int64_t tile) {
    const int64_t least = block.firstPos - (tile * BK + BK - 1),
                  most = lastPos - tile * BK;
    return core::floorDiv(most, t) >= core::ceilDiv(least, t);
  };
  core::TileRanges out;
  for (const core::TileRange &range : ranges) {
    if (range.kind != core::TileKind::Full) {
      out.push_back(range);
      continue;
    }
    for (int64_t tile = range.lo; tile < range.hi; ++tile)
      out.push_back(
          {tile, tile + 1,
           holdsClassPair(tile) ? core::TileKind::Partial : core::TileKind::Full});
  }
  return core::normalizeRanges(std::move(out));
}

int attendResidueClasses(const Call &call, int64_t t, int64_t workers) {
  const int64_t Lq = call.shape.queryLength, Lk = call.shape.keyLength;
  const int64_t firstPos = Lk - Lq;
  ClassWork work{call.variant.residueClasses->causal, {}, {}, {0}};
  work.views.reserve(t);
  work.calls.reserve(t);
  for (int64_t c = 0; c < t; ++c) {
    // Rows at positions p = c (mod t), p >= firstPos; keys j = c (mod t).
    const int64_t firstRow = core::modulo(c - firstPos, t);
    if (firstRow >= Lq)
      continue;
    const int64_t rows = (Lq - 1 - firstRow) / t + 1, keys = (Lk - 1 - c) / t + 1;
    rt::CallShape shape = call.shape;
    shape.queryLength = rows;
    shape.keyLength = keys;
    work.views.push_back(
        {everyNthRow(call.q, firstRow, rows, t), everyNthRow(call.k, c, keys, t),
         everyNthRow(call.v, c, keys, t), everyNthRow(call.o, firstRow, rows, t),
         everyNthRow(*call.lse, firstRow, rows, t), shape});
    ClassViews &views = work.views.back();
    // The class's last row is its last key (both the largest p = c mod t
    // below Lk), so its rows sit at the end of its keys, as a call's do.
    core::TileGeometry geometry{call.variant.tileQ, call.variant.tileK, rows, keys};
    work.calls.push_back({call.library,
                          call.variant,
                          call.kernels,
                          views.shape,
                          views.q,
                          views.k,
                          views.v,
                          views.o,
                          &views.lse,
                          call.params,
                          {},
                          call.scale,
                          geometry.firstQueryTile(),
                          geometry.endQueryTile() - geometry.firstQueryTile(),
                          geometry.numKeyTiles(),
                          call.bf16Products,
                          nullptr,
                          &causalRow});
    const Call &added = work.calls.back();
    work.firstTask.push_back(work.firstTask.back() +
                             added.shape.batch * added.shape.numQHeads * added.numTiles);
  }
  return parallelTasks(workers, classTask, static_cast<int>(work.firstTask.back()),
                       reinterpret_cast<uint8_t *>(&work));
}

} // namespace spattn::cpu
