//===- spattn/host_selections.hpp - Selection stages on the host -*- C++ -*-===//
//
// The estimate + select stages of the content-based patterns (and
// random_blocks), run on the host by a generated library on the caller's Q
// and K: by the CPU target before its kernels, and by `<name>_selection`
// for every library, whatever its targets (so they live in the runtime). Same
// definitions as docs/semantics.md and the reference (reference/Selection.h),
// computed in float32 with float32 accumulation where the reference uses
// fp64, so near-ties may resolve differently; well-separated scores select
// the same indices (the tests check that).
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_HOST_SELECTIONS_HPP
#define SPATTN_HOST_SELECTIONS_HPP

#include "spattn/library_abi.hpp"

#include <cstdint>
#include <vector>

namespace spattn::host {

using abi::HeadRows;
using abi::Selection;
using abi::SelectionCall;
using abi::StoredRows;

void selectTopkBlocks(const SelectionCall &call, HeadRows q, HeadRows k,
                      int64_t block, int64_t count, Selection &out);
void selectMassBlocks(const SelectionCall &call, HeadRows q, HeadRows k,
                      int64_t block, int64_t maxBlocks, double gamma,
                      Selection &out);
void selectRandomBlocks(const SelectionCall &call, int64_t block,
                        int64_t count, uint64_t seed, Selection &out);
/// pages for query heads that read one kv head, in one pass over its page
/// bounds: queries[g] chooses *out[g]. `bounds` are rows as
/// updatePageBounds writes them (at least ceil(Lk / page); float32 or K's
/// 16-bit dtype), or data null to compute them from k (in its own width)
/// here; the scores are the same either way.
void selectPages(const SelectionCall &call, const std::vector<HeadRows> &queries,
                 StoredRows k, StoredRows bounds, int64_t page, int64_t count,
                 const std::vector<Selection *> &out);

/// Where updatePageBounds writes: row p at element p * rowStride of `data`,
/// float32 or (for 16-bit K) K's dtype.
struct PageBoundsRows {
  void *data;
  spattn_dtype dtype;
  int64_t rowStride;
};
/// The page bounds of k in pages of `page` keys: row p holds the
/// per-dimension minimum of the page's keys, then their maximum (2 * k.dim
/// values; exact in float32 and in K's own dtype, since they are K's values).
/// Rewrites the rows of the pages holding keys firstKey .. k.rows - 1.
void updatePageBounds(StoredRows k, int64_t page, int64_t firstKey, PageBoundsRows out);
void selectVerticalSlash(const SelectionCall &call, HeadRows q, HeadRows k,
                         int64_t verticals, int64_t slashes,
                         int64_t lastQueries, Selection &out);

} // namespace spattn::host

#endif
