//===- Library.hpp - What a generated CPU library plugs in ------*- C++ -*-===//
//
// A library made by `spattn-compile --target=cpu` is a table of variants
// (one per bucket) written by the emitter from the lowered schedule, plus
// the Halide kernels of each; this file is the contract between that
// generated code and the shared driver. The generated code knows the
// pattern (tile ranges, token predicate, which selections to run); the
// driver knows nothing of patterns: it checks arguments, runs the
// selections, walks the ranges span by span through the kernels and writes
// O and LSE.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_TARGETS_CPU_SUPPORT_LIBRARY_HPP
#define SPATTN_TARGETS_CPU_SUPPORT_LIBRARY_HPP

#include "dialects/SpAttn/Schedule/SelectionTiles.h"
#include "dialects/SpAttn/Schedule/TileRanges.h"
#include "spattn/runtime.h"
#include "targets/cpu/support/Selections.h"

#include <cstdint>
#include <memory>
#include <vector>

struct halide_buffer_t;

namespace spattn::cpu {

using sched::TileKind;
using sched::TileRange;
using sched::TileRanges;

/// The result of one selection stage for one (batch element, query head).
struct StageResult {
  bool computed = false; // false for stages that do not serve this head
  Selection selection;
  sched::IndexGroups groups() const {
    return {selection.firstGroup, selection.groups(), selection.offsets.data(),
            selection.indices.data()};
  }
  /// vertical_slash only: the columns and offsets, and their bitmaps.
  std::vector<int64_t> columns, offsets;
  std::unique_ptr<sched::VerticalSlashMembers> members;
};

/// What the generated functions of a variant see for one (batch, head).
struct HeadState {
  const int64_t *params;          // schedule parameters at the call's L
  int64_t head;                   // query head
  sched::TileGeometry geometry;   // tiles and lengths of the call
  const StageResult *stages;      // this head's selections, by stage index
};

/// The inputs of a selection stage for one (batch, head).
struct StageInputs {
  SelectionCall call;
  HeadRows q, k;
};

using AttendFull = int (*)(halide_buffer_t *q, halide_buffer_t *k,
                           halide_buffer_t *v, int32_t n, float scale,
                           halide_buffer_t *mIn, halide_buffer_t *lIn,
                           halide_buffer_t *accIn, halide_buffer_t *mOut,
                           halide_buffer_t *lOut, halide_buffer_t *accOut);
using AttendMasked = int (*)(halide_buffer_t *q, halide_buffer_t *k,
                             halide_buffer_t *v, halide_buffer_t *mask,
                             int32_t n, float scale, halide_buffer_t *mIn,
                             halide_buffer_t *lIn, halide_buffer_t *accIn,
                             halide_buffer_t *mOut, halide_buffer_t *lOut,
                             halide_buffer_t *accOut);

/// A run-length table of one value over lengths: value[k] holds for L in
/// [start[k], start[k + 1]) (the last run up to the bucket's end).
struct LengthTable {
  const int64_t *start;
  const int64_t *value;
  int64_t runs;
  int64_t at(int64_t length) const;
};

struct Variant {
  int64_t lo, hi;           // lengths served
  int64_t tileQ, tileK, span;
  AttendFull full;
  AttendMasked masked;
  /// Kernels for tiles with at most `fewRows` present rows (decode, the
  /// ragged first tile of a chunk): null when tileQ is that small already.
  int64_t fewRows;
  AttendFull fullFew;
  AttendMasked maskedFew;
  int32_t numParams;
  const LengthTable *params; // one per schedule parameter
  /// Runs the selection stages this head uses into stages[0 .. numStages).
  void (*select)(const StageInputs &in, const int64_t *params, int64_t head,
                 StageResult *stages);
  TileRanges (*ranges)(const HeadState &state, int64_t queryTile);
  /// The token predicate of partial tiles for keys [key0, key0 + n) of row
  /// `row` (at `position`): out[jj] = 1 iff (row, key0 + jj) is kept. One
  /// call per row so the generated predicate inlines into the loop.
  void (*keepRow)(const HeadState &state, int64_t row, int64_t position,
                  int64_t key0, int64_t n, uint8_t *out);
};

struct Library {
  const char *name;
  int64_t headDim, numQHeads, numKVHeads;
  bool causal;
  double scale;
  int32_t numVariants;
  const Variant *variants;
  const int64_t *upperBounds; // variants[k].hi
  int32_t numStages;
  const char *const *stageKinds; // "topk_blocks", ... per stage
  int32_t numBudgets;
  const char *const *budgetLabels;
  const LengthTable *budgets; // over [1, last bucket's hi]
};

/// `<name>_attention`.
int attention(const Library &library, const spattn_tensor *q,
              const spattn_tensor *k, const spattn_tensor *v, spattn_tensor *o,
              spattn_tensor *lse, const spattn_options *options);

/// `<name>_budgets`: every budget's value at `length`.
int budgets(const Library &library, int64_t length, int64_t *values,
            int32_t capacity);

/// `<name>_selection`: stage `stage`'s indices for (batch, head); the arrays
/// stay valid until this thread's next call.
int selection(const Library &library, const spattn_tensor *q,
              const spattn_tensor *k, int64_t batch, int64_t head,
              int32_t stage, spattn_selection *out);

/// Fills a vertical_slash stage's columns, offsets and membership bitmaps
/// from its selection (group 0 columns, group 1 offsets).
void indexVerticalSlash(StageResult &stage, int64_t keyLength);

/// Integer helpers the generated code uses (floor semantics, as MLIR's).
inline int64_t floorDiv(int64_t a, int64_t b) {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}
inline int64_t ceilDiv(int64_t a, int64_t b) { return -floorDiv(-a, b); }
inline int64_t modulo(int64_t a, int64_t b) {
  return b > 0 ? ((a % b) + b) % b : 0;
}

} // namespace spattn::cpu

#endif
