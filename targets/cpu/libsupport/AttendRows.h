//===- AttendRows.h - Query rows through the attend kernels -----*- C++ -*-===//
//
// The work of a CPU call, in units the driver (Driver.cpp) spreads over
// Halide's thread pool: a RowBlock of query rows is walked over its kept
// key tiles, span by span, through the Halide attend kernels (full spans
// unmasked, partial spans with the generated token predicate) into an
// online-softmax state; states of one block over disjoint key slices
// (split-K) combine exactly; the final state becomes O = acc / l and
// LSE = m + log l.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_TARGETS_CPU_LIBSUPPORT_ATTENDROWS_H
#define SPATTN_TARGETS_CPU_LIBSUPPORT_ATTENDROWS_H

#include "targets/cpu/libsupport/CpuKernels.hpp"

#include "spattn/library_abi.hpp"

#include <cstdint>
#include <vector>

namespace spattn::cpu {

/// Which of the variant's kernels with bf16 products a call runs on its
/// long spans: none (float32 products), the AMX ones, or the vdpbf16ps ones
/// (CpuKernels.hpp).
enum class Bf16Products { None, Amx, DotPairs };

/// Everything one call shares between its parallel tasks.
struct Call {
  const abi::Library &library;
  const abi::Variant &variant;
  const CpuKernels &kernels;
  const rt::CallShape &shape;
  /// Q and O in float32; K and V in float32, bf16 or fp16 (attendRows
  /// widens the 16-bit rows each span's kernels read).
  const spattn_tensor &q, &k, &v, &o;
  const spattn_tensor *lse;
  std::vector<int64_t> params;
  std::vector<abi::StageResult> stages; // [B * Hq * numStages]
  float scale;
  int64_t firstTile, numTiles, numKeyTiles;
  /// Q, K, V hold bf16 values (a bf16 call) and these kernels of the
  /// variant's can run here: the vdpbf16ps ones take every many-row span,
  /// the AMX ones spans of at least half a kernel span (AttendRows.cpp).
  Bf16Products bf16Products = Bf16Products::None;
  /// The schedule this call attends: the variant's, or the rest of it
  /// when its residue class is attended apart (ResidueClasses.h).
  abi::RangesFn ranges = variant.ranges;
  abi::KeepRowFn keepRow = variant.keepRow;
  /// > 0: `ranges` and `keepRow` are the rest of a split of this modulus.
  int64_t restOfModulus = 0;

  abi::HeadState headState(int64_t b, int64_t h) const {
    return {params.data(),
            h,
            {variant.tileQ, variant.tileK, shape.queryLength, shape.keyLength},
            stages.empty()
                ? nullptr
                : stages.data() + (b * shape.numQHeads + h) * library.numStages};
  }
};

/// The present rows of query tile `qt` in each of `numHeads` consecutive
/// query heads from `firstHead` (of batch element b), attended by one series
/// of kernel calls. Several heads only when they read one kv head and keep
/// the same tiles (GQA decode): each K/V span is then read once for all.
struct RowBlock {
  int64_t b, firstHead, numHeads, qt;
  int64_t firstRow; // row of Q (and O) of the tile's first present row
  int64_t firstPos; // its absolute position
  int64_t rows;     // present rows per head
  int64_t offset;   // firstPos - qt * tileQ
};

/// The rows of query tile qt of (b, heads [firstHead, firstHead + numHeads)).
RowBlock rowBlock(const Call &call, int64_t b, int64_t firstHead,
                  int64_t numHeads, int64_t qt);

/// The block of prefill task `task` of `call`: one (batch element, query
/// head, query tile) per task, the tile varying fastest.
RowBlock prefillBlock(const Call &call, int64_t task);

/// Rows the block's kernels compute: the few-row kernels' when the block
/// fits them, else tileQ.
int64_t kernelRows(const Call &call, const RowBlock &block);

/// Floats of a block's online-softmax state: m[KR], l[KR], acc[KR][D].
inline int64_t stateFloats(const Call &call, const RowBlock &block) {
  return kernelRows(call, block) * (call.shape.headDim + 2);
}

/// Attends the block's rows to the keys of `ranges` (clipped to the key
/// tiles that exist) into `state` (stateFloats of them), which starts empty.
/// Returns 0 or a Halide / SPATTN_ERROR_MEMORY status.
int attendRows(const Call &call, const RowBlock &block,
               const core::TileRanges &ranges, float *state);

/// Merges `count` states of one block, `stride` floats apart (at least
/// stateFloats), computed over disjoint key slices, into the first.
void combineStates(const Call &call, const RowBlock &block, float *states,
                   int64_t stride, int64_t count);

/// Writes the block's O rows and, when asked for, LSE from a final state.
void writeRows(const Call &call, const RowBlock &block, const float *state);

/// Adds a final state over keys the O and LSE rows (LSE is required) did
/// not cover to them: both become those of the union of the two key sets.
void mergeRows(const Call &call, const RowBlock &block, const float *state);

} // namespace spattn::cpu

#endif
