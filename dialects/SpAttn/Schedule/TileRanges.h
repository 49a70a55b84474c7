//===- TileRanges.h - Key-tile ranges of one query tile ---------*- C++ -*-===//
//
// The expanded form of a block schedule for one query tile: sorted, disjoint
// runs of key tiles, each full (every pair kept, no per-token test) or
// partial (the token predicate decides). Union and intersection of such
// lists are how `spattn.blocks.union` / `.intersect` dedupe and clip ranges.
// Free of MLIR so runtimes and backends can share it.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_SCHEDULE_TILERANGES_H
#define SPATTN_SCHEDULE_TILERANGES_H

#include <cstdint>
#include <vector>

namespace spattn::sched {

/// Ordered so that max() is union and min() is intersection per tile.
enum class TileKind : uint8_t { Skipped = 0, Partial = 1, Full = 2 };

/// Key tiles [lo, hi), all of one kind (Partial or Full).
struct TileRange {
  int64_t lo = 0, hi = 0;
  TileKind kind = TileKind::Partial;
  bool operator==(const TileRange &o) const {
    return lo == o.lo && hi == o.hi && kind == o.kind;
  }
};

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

} // namespace spattn::sched

#endif
