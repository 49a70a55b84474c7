//===- TileRanges.h - Key-tile ranges of one query tile, in vectors -*- C++ -*-===//
//
// Host code's form of the tile-range algebra (core/TileRangeAlgebra.h):
// the same runs in a std::vector, for lists whose length depends on the
// call (selections). Union and intersection call the one algorithm there.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_CORE_TILERANGES_H
#define SPATTN_CORE_TILERANGES_H

#include "core/TileRangeAlgebra.h"

#include <cstdint>
#include <vector>

namespace spattn::core {

/// Sorted, disjoint, non-empty ranges; adjacent ranges of one kind merged.
using TileRanges = std::vector<TileRange>;

/// Normalizes arbitrary (possibly empty or overlapping) ranges; where ranges
/// overlap the stronger kind wins (a leaf's full range inside its touched one).
TileRanges normalizeRanges(std::vector<TileRange> ranges);
/// A tile kept by either input; full if full in either.
TileRanges uniteRanges(const TileRanges &a, const TileRanges &b);
/// A tile kept by both inputs; full only if full in both.
TileRanges intersectRanges(const TileRanges &a, const TileRanges &b);
/// Only the tiles in [lo, hi).
TileRanges clipRanges(const TileRanges &ranges, int64_t lo, int64_t hi);
/// Number of tiles of `kind` (or of any kept kind when kind is Skipped).
int64_t countTiles(const TileRanges &ranges, TileKind kind = TileKind::Skipped);

} // namespace spattn::core

#endif
