//===- spattn/library_abi.hpp - What generated code hands the runtime -*- C++ -*-===//
//
// The versioned contract between the source `spattn-compile` generates for a
// library and the code every library links (this runtime and each target's
// driver). Generated code fills these structs with designated fields from
// the library plan (targets/common/LibraryPlan.h); the runtime reads the
// target-independent parts (buckets, length tables, budgets, selection
// stages, entry points per target), a target's driver its own kernel table.
// Bump kLibraryAbiVersion whenever a struct here changes: generated code
// static_asserts the version it was written for.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_LIBRARY_ABI_HPP
#define SPATTN_LIBRARY_ABI_HPP

#include "core/RequestSpace.h"
#include "core/SelectionTiles.h"
#include "core/TokenProgram.h"
#include "spattn/half_precision.hpp"
#include "spattn/runtime_internal.hpp"

#include <cassert>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

namespace spattn::abi {

constexpr int32_t kLibraryAbiVersion = 7;

/// A run-length table of one value over lengths: value[k] holds for L in
/// [start[k], start[k + 1]) (the last run up to the bucket's end).
struct LengthTable {
  const int64_t *start;
  const int64_t *value;
  int64_t runs;
  int64_t at(int64_t length) const;
};

/// One head's rows: row r starts at data + r * rowStride, `dim` floats.
struct HeadRows {
  const float *data = nullptr;
  int64_t rows = 0;
  int64_t rowStride = 0;
  int64_t dim = 0;
  const float *row(int64_t r) const { return data + r * rowStride; }
};

/// One head's rows as the caller stores them: float32, bf16 or fp16
/// elements, row r at element r * rowStride (the page bounds read K in its
/// own width; the other stages read float32).
struct StoredRows {
  const void *data = nullptr;
  spattn_dtype dtype = SPATTN_F32;
  int64_t rows = 0;
  int64_t rowStride = 0;
  int64_t dim = 0;

  StoredRows() = default;
  StoredRows(const void *data, spattn_dtype dtype, int64_t rows, int64_t rowStride,
             int64_t dim)
      : data(data), dtype(dtype), rows(rows), rowStride(rowStride), dim(dim) {}
  /// float32 rows are stored rows too.
  StoredRows(HeadRows rows)
      : StoredRows(rows.data, SPATTN_F32, rows.rows, rows.rowStride, rows.dim) {}
  /// The same rows as HeadRows: only for float32 data.
  HeadRows floats() const {
    assert(dtype == SPATTN_F32 && "a selection stage reads float32 K");
    return {static_cast<const float *>(data), rows, rowStride, dim};
  }
  /// Row r as float32: the row itself (float32 data), else widened exactly
  /// into `scratch` (dim floats).
  const float *floatRow(int64_t r, float *scratch) const {
    if (dtype == SPATTN_F32)
      return static_cast<const float *>(data) + r * rowStride;
    widenRow(dtype, static_cast<const uint16_t *>(data) + r * rowStride, dim, scratch);
    return scratch;
  }
};

/// The call's geometry as the selection stages need it.
struct SelectionCall {
  int64_t queryLength = 0, keyLength = 0;
  bool causal = false;
  float scale = 1.0f;
  int64_t head = 0; // query head (random_blocks hashes it)
};

/// Indices kept, in CSR groups, each group sorted ascending. Blocks: one
/// group per present query block starting at absolute block `firstGroup`;
/// pages: one group per query row; vertical_slash: group 0 the key columns,
/// group 1 the diagonal offsets d = p(i) - j.
struct Selection {
  int64_t firstGroup = 0;
  std::vector<int64_t> offsets{0};
  std::vector<int64_t> indices;
  int64_t groups() const { return static_cast<int64_t>(offsets.size()) - 1; }
  const int64_t *begin(int64_t g) const { return indices.data() + offsets[g]; }
  const int64_t *end(int64_t g) const { return indices.data() + offsets[g + 1]; }
};

/// The result of one selection stage for one (batch element, query head).
struct StageResult {
  bool computed = false; // false for stages that do not serve this head
  Selection selection;
  core::IndexGroups groups() const {
    return {selection.firstGroup, selection.groups(), selection.offsets.data(),
            selection.indices.data()};
  }
  /// vertical_slash only: the columns and offsets, and their bitmaps.
  std::vector<int64_t> columns, offsets;
  std::unique_ptr<core::VerticalSlashMembers> members;
};

/// Fills a vertical_slash stage's columns, offsets and membership bitmaps
/// from its selection (group 0 columns, group 1 offsets).
void indexVerticalSlash(StageResult &stage, int64_t keyLength);

/// What a variant's generated schedule functions see for one (batch, head).
struct HeadState {
  const int64_t *params;      // schedule parameters at the call's L
  int64_t head;               // query head
  core::TileGeometry geometry; // tiles and lengths of the call
  const StageResult *stages;  // this head's selections, by stage index
};

/// The tiles of a token predicate that is not affine (spattn.blocks.predicate):
/// classified by evaluating it on every pair of a query tile, once per
/// (L, head, query tile) and cached, so a call pays tileQ * L evaluations per
/// query tile the first time a length is served and nothing after that.
/// Thread-safe; the cache is dropped when it holds 2^20 query tiles.
class PredicateTiles {
public:
  template <typename Keeps>
  core::TileRanges ranges(const HeadState &state, int64_t q, Keeps &&keeps) {
    Key key{state.geometry.keyLength, state.head, q};
    {
      std::lock_guard<std::mutex> lock(mutex);
      auto it = cache.find(key);
      if (it != cache.end())
        return it->second;
    }
    core::TileRanges tiles = core::predicateRanges(state.geometry, q, keeps);
    std::lock_guard<std::mutex> lock(mutex);
    if (cache.size() >= kMaxEntries)
      cache.clear();
    cache.emplace(key, tiles);
    return tiles;
  }

private:
  static constexpr size_t kMaxEntries = size_t{1} << 20;
  struct Key {
    int64_t length, head, queryTile;
    bool operator<(const Key &o) const {
      return length != o.length ? length < o.length
             : head != o.head   ? head < o.head
                                : queryTile < o.queryTile;
    }
  };
  std::mutex mutex;
  std::map<Key, core::TileRanges> cache;
};

/// The inputs of the selection stages for consecutive query heads of one
/// batch element that read one kv head (a GQA group, or one head), so that
/// a stage can score them all in one pass over what it reads of K.
struct StageInputs {
  SelectionCall call;       // head: the first query head
  std::vector<HeadRows> q;  // query heads call.head, call.head + 1, ...
  /// float32 unless the only stages reading K are pages stages (a 16-bit
  /// decode step keeps K in its own width).
  StoredRows k;
  /// Per stage: the page bounds the caller keeps for this (batch, kv head),
  /// rows of 2 * dim values, float32 or K's dtype (<name>_update_page_bounds);
  /// data null when the stage computes them from K.
  std::vector<StoredRows> pageBounds;
};

/// The query heads of a StageInputs that one stage serves, and their results
/// (marked computed).
struct ServedHeads {
  std::vector<SelectionCall> calls; // head: each one's query head
  std::vector<HeadRows> queries;
  std::vector<StageResult *> results;
  size_t size() const { return results.size(); }
  std::vector<Selection *> selections() const;
};

/// The heads of `in` with serves[query head] set; their results are
/// stages[g * numStages + stage] for the g-th head of `in`.
ServedHeads servedHeads(const StageInputs &in, const bool *serves, int32_t stage,
                        int32_t numStages, StageResult *stages);

using RangesFn = core::TileRanges (*)(const HeadState &state, int64_t queryTile);
/// The token predicate of partial tiles for keys [key0, key0 + n) of row
/// `row` (at `position`): out[jj] = 1 iff (row, key0 + jj) is kept. One
/// call per row so the generated predicate inlines into the loop.
using KeepRowFn = void (*)(const HeadState &state, int64_t row, int64_t position,
                           int64_t key0, int64_t n, uint8_t *out);

/// A schedule whose root unites a residue class with other patterns:
/// union(strided(t), rest...), under the causal mask or not. The class
/// (p(i) - j) mod t == 0 pairs the rows and keys of each class c = p(i)
/// mod t among themselves, and within a class it keeps every key (causal:
/// every earlier one), so a target may attend it as dense attention over
/// every t-th row and key, and the rest apart: the schedule without the
/// class, whose token rows clear the class's keys, so no pair counts twice.
struct ResidueClasses {
  /// t at the call (from the schedule parameters); >= 1 for a valid call.
  int64_t (*modulus)(const HeadState &state);
  /// The rest's tiles. A tile it keeps whole may still hold pairs of the
  /// class, which only its token rows clear: a target runs such a tile as
  /// a partial one.
  RangesFn restRanges;
  KeepRowFn restKeepRow;
  /// The root intersects the union with j <= p(i): within a class, every
  /// key at or before the row (the spec's `causal`, or a leaf of its own).
  bool causal;
};

/// The target-independent half of one bucket's variant: lengths, tiles,
/// schedule parameters and the generated schedule functions.
struct Variant {
  int64_t lo, hi;     // lengths served
  int64_t tileQ, tileK;
  int32_t numParams;
  /// Per combination of request values, one table per schedule parameter:
  /// params[combination * numParams + p].
  const LengthTable *params;
  /// Runs the selection stages of the heads of `in`: head g's results go
  /// to stages[g * numStages .. (g + 1) * numStages).
  void (*select)(const StageInputs &in, const int64_t *params,
                 StageResult *stages);
  RangesFn ranges;
  KeepRowFn keepRow;
  /// Null unless the schedule's root unites a residue class with the rest.
  const ResidueClasses *residueClasses;
};

/// The kinds of selection stage (spelled as in the spec).
enum class StageKind : int32_t {
  TopkBlocks,
  RandomBlocks,
  Mass,
  Pages,
  VerticalSlash
};
const char *stageKindName(StageKind kind);

struct Library {
  int32_t abiVersion; // kLibraryAbiVersion of the generated code
  const char *name;
  int64_t headDim, numQHeads, numKVHeads;
  bool causal;
  double scale;
  int32_t numVariants;
  const Variant *variants;
  const int64_t *upperBounds; // variants[k].hi
  int32_t numStages;
  const StageKind *stageKinds;
  const int64_t *stagePageSizes; // per stage: the page of pages, else 0
  int32_t numBudgets;
  const char *const *budgetLabels;
  /// Over [1, last bucket's hi]: budgets[combination * numBudgets + b].
  const LengthTable *budgets;
  int32_t numRequest; // request parameters, each in [requestMin, requestMax]
  const char *const *requestNames;
  const int64_t *requestMin, *requestMax;

  core::RequestSpace requestSpace() const {
    return {numRequest, requestMin, requestMax};
  }

  /// The shape checks of a call served by a target that accepts `accepts`.
  rt::SpecShape shape(const rt::TargetAccepts &accepts) const {
    return {name, headDim, numQHeads, numKVHeads, accepts};
  }
};

/// One target's entry points in a library (a library compiled for several
/// targets has one each; a call goes to the first whose memory matches Q's).
struct TargetEntry {
  rt::TargetAccepts accepts;
  /// `pageBounds`: null, or per selection stage the caller's page bounds of
  /// pages stages (null entries: computed from K); only host targets get
  /// any.
  int (*attention)(const Library &library, const spattn_tensor *q,
                   const spattn_tensor *k, const spattn_tensor *v,
                   spattn_tensor *o, spattn_tensor *lse,
                   const spattn_tensor *const *pageBounds,
                   const spattn_options *options);
};

/// `<name>_attention` (pageBounds null) and
/// `<name>_attention_with_page_bounds`: the call goes to the target whose
/// memory holds Q.
int attention(const Library &library, const TargetEntry *const *targets,
              int32_t numTargets, const spattn_tensor *q, const spattn_tensor *k,
              const spattn_tensor *v, spattn_tensor *o, spattn_tensor *lse,
              const spattn_tensor *const *pageBounds,
              const spattn_options *options);

/// The page bounds the host reads for K of `keyDtype`: float32, or K's own
/// dtype, which holds K's minima and maxima exactly in half the memory when
/// K is 16-bit; in host memory.
rt::TargetAccepts hostPageBounds(int32_t keyDtype);

/// Checks the caller's host page bounds of a call with these shapes and K
/// of `keyDtype`: every non-null entry of a pages stage must be
/// rt::checkPageBounds-valid for hostPageBounds.
int checkPageBounds(const Library &library, const rt::CallShape &shape, int32_t keyDtype,
                    const spattn_tensor *const *pageBounds);

/// `<name>_page_size`.
int64_t pageSize(const Library &library, int32_t stage);

/// `<name>_update_page_bounds`: recomputes the bound rows of the pages
/// holding keys firstKey .. Lk - 1 of host K (float32, bf16 or fp16) into
/// bounds that hostPageBounds takes.
int updatePageBounds(const Library &library, const spattn_tensor *k,
                     int64_t firstKey, int32_t stage, spattn_tensor *bounds);

/// The arguments of a page bounds update (host or device): `stage` a pages
/// stage (its page size in `page`), firstKey in [0, Lk], bounds valid for K
/// of `shape` and what the target writing them takes (`writes`).
int checkPageBoundsUpdate(const Library &library, const rt::CallShape &shape,
                          int64_t firstKey, int32_t stage, const spattn_tensor *bounds,
                          const rt::TargetAccepts &writes, int64_t &page);

/// The variant serving Lk, or SPATTN_ERROR_LENGTH with a message.
int findVariant(const Library &library, int64_t length, const Variant *&out);

/// The combination of request values `options` carries, checked against
/// the library's declaration (SPATTN_ERROR_ARGUMENT with a message naming
/// the parameter otherwise).
int requestCombination(const Library &library, const spattn_options *options,
                       int64_t &combination);

/// The schedule parameters of `variant` at `length` under request values
/// `combination` (from requestCombination).
std::vector<int64_t> parametersAt(const Variant &variant, int64_t length,
                                  int64_t combination);

/// Selection inputs of query heads [firstHead, firstHead + numHeads) of
/// `batch`, which read one kv head, over host float32 Q, host K (float32,
/// or 16-bit when only pages stages read it) and the caller's page bounds
/// (checked; may be null).
StageInputs stageInputs(const Library &library, const rt::CallShape &shape,
                        const spattn_tensor &q, const spattn_tensor &k,
                        const spattn_tensor *const *pageBounds, int64_t batch,
                        int64_t firstHead, int64_t numHeads);

/// `<name>_info`: the library's shape, buckets and targets in C form,
/// built once per library.
class LibraryInfo {
public:
  LibraryInfo(const Library &library, const TargetEntry *const *targets,
              int32_t numTargets);
  const spattn_library_info *get() const { return &info; }

private:
  std::vector<const char *> names;
  std::vector<uint32_t> dtypes;
  std::vector<spattn_memory> memories;
  spattn_library_info info{};
};

/// `<name>_budgets`: every budget's value at `length` and the request
/// values of `options`.
int budgets(const Library &library, int64_t length, const spattn_options *options,
            int64_t *values, int32_t capacity);

/// `<name>_selection`: stage `stage`'s indices for (batch, head) over host
/// Q and K under the request values of `options`; the arrays stay valid
/// until this thread's next call.
int selection(const Library &library, const rt::TargetAccepts &accepts,
              const spattn_tensor *q, const spattn_tensor *k, int64_t batch,
              int64_t head, int32_t stage, const spattn_options *options,
              spattn_selection *out);

/// The arguments of a selection read-back (host or device): (batch, head)
/// in the call, stage one of the library's.
int checkSelectionRequest(const Library &library, const rt::CallShape &shape,
                          int64_t batch, int64_t head, int32_t stage);

/// The error for a stage that does not serve `head`.
int stageDoesNotServe(int32_t stage, StageKind kind, int64_t head);

/// How `<name>_selection` names the groups of a stage of `kind`.
spattn_selection_kind publicSelectionKind(StageKind kind);

} // namespace spattn::abi

#endif
