//===- TileRangeAlgebra.h - Union and intersection of tile ranges -*- C++ -*-===//
//
// The expanded form of a block schedule for one query tile is a sorted list
// of disjoint key-tile runs, each full (every pair kept, no per-token test)
// or partial (the token predicate decides). `spattn.blocks.union` and
// `.intersect` combine such lists. This is that algebra once, on caller-owned
// arrays with no allocation, so a CUDA kernel computes the ranges of its query
// tile the way the host does: `FixedTileRanges<N>` holds a list in registers
// with a capacity known at compile time, `TileRanges.h` wraps the same
// functions in vectors for host code.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_CORE_TILERANGEALGEBRA_H
#define SPATTN_CORE_TILERANGEALGEBRA_H

#include "core/HostDevice.h"

#include <cstdint>

namespace spattn::core {

/// Ordered so that max() is union and min() is intersection per tile.
enum class TileKind : uint8_t { Skipped = 0, Partial = 1, Full = 2 };

/// Key tiles [lo, hi), all of one kind (Partial or Full).
struct TileRange {
  int64_t lo = 0, hi = 0;
  TileKind kind = TileKind::Partial;
  SPATTN_HOST_DEVICE bool operator==(const TileRange &o) const {
    return lo == o.lo && hi == o.hi && kind == o.kind;
  }
};

/// Appends [lo, hi) of `kind` to out[0 .. count), merging with the last run
/// when adjacent and of the same kind; returns the new count.
SPATTN_HOST_DEVICE inline int appendRange(TileRange *out, int count, int64_t lo,
                                          int64_t hi, TileKind kind) {
  if (lo >= hi || kind == TileKind::Skipped)
    return count;
  if (count > 0 && out[count - 1].hi == lo && out[count - 1].kind == kind) {
    out[count - 1].hi = hi;
    return count;
  }
  out[count] = {lo, hi, kind};
  return count + 1;
}

/// Combines two sorted, disjoint lists tile by tile: the kind of every tile
/// is max (unite) or min (intersect) of its kinds in `a` and `b`. The result
/// has fewer runs than the inputs have distinct range ends (at most
/// 2 * (na + nb) - 1); `out` must hold that many and not alias the inputs.
/// Returns the number of runs written.
SPATTN_HOST_DEVICE inline int combineRanges(const TileRange *a, int na,
                                            const TileRange *b, int nb,
                                            bool unite, TileRange *out) {
  const int64_t kEnd = INT64_MAX;
  int ia = 0, ib = 0, count = 0;
  // Walk the elementary intervals between consecutive range ends.
  int64_t x = kEnd;
  if (na > 0)
    x = a[0].lo;
  if (nb > 0 && b[0].lo < x)
    x = b[0].lo;
  while (x != kEnd) {
    bool inA = ia < na && a[ia].lo <= x, inB = ib < nb && b[ib].lo <= x;
    TileKind ka = inA ? a[ia].kind : TileKind::Skipped;
    TileKind kb = inB ? b[ib].kind : TileKind::Skipped;
    int64_t nextA = ia < na ? (inA ? a[ia].hi : a[ia].lo) : kEnd;
    int64_t nextB = ib < nb ? (inB ? b[ib].hi : b[ib].lo) : kEnd;
    int64_t next = nextA < nextB ? nextA : nextB;
    TileKind kind = unite ? (ka > kb ? ka : kb) : (ka < kb ? ka : kb);
    count = appendRange(out, count, x, next, kind);
    x = next;
    if (ia < na && a[ia].hi <= x)
      ++ia;
    if (ib < nb && b[ib].hi <= x)
      ++ib;
  }
  return count;
}

/// Keeps only tiles in [lo, hi), in place; returns the new count.
SPATTN_HOST_DEVICE inline int clipRangesInPlace(TileRange *ranges, int count,
                                                int64_t lo, int64_t hi) {
  int kept = 0;
  for (int r = 0; r < count; ++r) {
    int64_t rlo = ranges[r].lo > lo ? ranges[r].lo : lo;
    int64_t rhi = ranges[r].hi < hi ? ranges[r].hi : hi;
    if (rlo < rhi)
      ranges[kept++] = {rlo, rhi, ranges[r].kind};
  }
  return kept;
}

/// A range list with at most `Ends` distinct range ends, hence at most
/// Ends - 1 runs, for code that cannot allocate (device kernels, generated
/// schedules). Ends add up under union and intersection, so a schedule tree
/// has a capacity known at compile time: a leaf has 4 ends (touched and full
/// bounds), a union of two leaves 8 (7 runs).
template <int Ends> struct FixedTileRanges {
  static constexpr int kCapacity = Ends > 1 ? Ends - 1 : 1;
  TileRange runs[kCapacity];
  int count = 0;

  SPATTN_HOST_DEVICE FixedTileRanges() {}
  /// One leaf: the touched range as partial, the full range inside it.
  SPATTN_HOST_DEVICE static FixedTileRanges leaf(int64_t touchLo, int64_t touchHi,
                                                 int64_t fullLo, int64_t fullHi) {
    static_assert(Ends >= 4, "a leaf has four range ends");
    FixedTileRanges out;
    if (touchLo >= touchHi)
      return out;
    if (fullLo < touchLo)
      fullLo = touchLo;
    if (fullHi > touchHi)
      fullHi = touchHi;
    if (fullLo >= fullHi) {
      out.count = appendRange(out.runs, 0, touchLo, touchHi, TileKind::Partial);
      return out;
    }
    int n = appendRange(out.runs, 0, touchLo, fullLo, TileKind::Partial);
    n = appendRange(out.runs, n, fullLo, fullHi, TileKind::Full);
    out.count = appendRange(out.runs, n, fullHi, touchHi, TileKind::Partial);
    return out;
  }
};

template <int A, int B>
SPATTN_HOST_DEVICE FixedTileRanges<A + B> uniteRanges(const FixedTileRanges<A> &a,
                                                      const FixedTileRanges<B> &b) {
  FixedTileRanges<A + B> out;
  out.count = combineRanges(a.runs, a.count, b.runs, b.count, true, out.runs);
  return out;
}

template <int A, int B>
SPATTN_HOST_DEVICE FixedTileRanges<A + B>
intersectRanges(const FixedTileRanges<A> &a, const FixedTileRanges<B> &b) {
  FixedTileRanges<A + B> out;
  out.count = combineRanges(a.runs, a.count, b.runs, b.count, false, out.runs);
  return out;
}

} // namespace spattn::core

#endif
