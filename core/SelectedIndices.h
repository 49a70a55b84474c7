//===- SelectedIndices.h - Chosen indices in fixed slots, host or device -*- C++ -*-===//
//
// What a content-based selection stage chose for one (batch element, query
// head), in the fixed-capacity layout the CUDA selection kernels write:
// group g holds count[g] indices, sorted ascending, at index[g * capacity].
// Blocks (topk_blocks, mass) have one group per present query block, pages
// one per query row, vertical_slash group 0 (columns) and group 1 (diagonal
// offsets d = p(i) - j). The tile functions below are how a compiled device
// schedule (core/ScheduleWalk.h) walks them: binary searches only, no
// arrays, so a kernel keeps no stack frame. Free of MLIR; host and device.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_CORE_SELECTEDINDICES_H
#define SPATTN_CORE_SELECTEDINDICES_H

#include "core/BlockGrid.h"
#include "core/TileRangeAlgebra.h"

#include <cstdint>

namespace spattn::core {

/// One stage's groups of chosen indices. A view with `count` null stands for
/// "every candidate chosen": the host walks it to bound a query tile's work
/// before the device has selected anything.
struct SelectedIndices {
  const int32_t *count = nullptr; // [numGroups]
  const int32_t *index = nullptr; // [numGroups][capacity]
  int64_t capacity = 0, numGroups = 0;

  SPATTN_HOST_DEVICE bool everything() const { return count == nullptr; }
  SPATTN_HOST_DEVICE int64_t size(int64_t g) const {
    return g >= 0 && g < numGroups ? count[g] : 0;
  }
  SPATTN_HOST_DEVICE int64_t at(int64_t g, int64_t i) const {
    return index[g * capacity + i];
  }
  /// The first position in group g holding an index >= value (size(g): none).
  SPATTN_HOST_DEVICE int64_t lowerBound(int64_t g, int64_t value) const {
    int64_t lo = 0, hi = size(g);
    while (lo < hi) {
      const int64_t mid = (lo + hi) / 2;
      if (at(g, mid) < value)
        lo = mid + 1;
      else
        hi = mid;
    }
    return lo;
  }
  /// The smallest chosen index >= value in group g, or kNoIndex.
  static constexpr int64_t kNoIndex = INT64_MAX;
  SPATTN_HOST_DEVICE int64_t nextIndex(int64_t g, int64_t value) const {
    if (everything())
      return value;
    const int64_t i = lowerBound(g, value);
    return i < size(g) ? at(g, i) : kNoIndex;
  }
  /// How many chosen indices of group g lie in [lo, hi].
  SPATTN_HOST_DEVICE int64_t countIn(int64_t g, int64_t lo, int64_t hi) const {
    if (everything())
      return hi >= lo ? hi - lo + 1 : 0;
    return lowerBound(g, hi + 1) - lowerBound(g, lo);
  }
  SPATTN_HOST_DEVICE bool contains(int64_t g, int64_t value) const {
    return countIn(g, value, value) > 0;
  }
};

/// Key blocks chosen per group of positions: topk_blocks and mass (a group is
/// a query block of `block` positions, keys in blocks of `block`) and pages
/// (a group is one query row, keys in pages of `block`).
struct GroupedBlocks {
  SelectedIndices chosen;
  int64_t groupPositions = 1; // positions per group: the block, or 1 (rows)
  int64_t block = 1;          // keys per chosen index
  int64_t firstGroup = 0;     // floor(p(0) / groupPositions): group 0's id

  SPATTN_HOST_DEVICE int64_t groupOf(int64_t position) const {
    return floorDiv(position, groupPositions) - firstGroup;
  }

  /// The first key tile >= kt holding a block chosen by a group of the
  /// present positions [p0, p1] of a query tile (kNoTile: none).
  SPATTN_HOST_DEVICE int64_t nextTile(const TileGeometry &geometry, int64_t p0, int64_t p1,
                                      int64_t kt) const {
    int64_t best = INT64_MAX;
    const int64_t fromBlock = kt * geometry.tileK / block;
    for (int64_t g = groupOf(p0), last = groupOf(p1); g <= last; ++g) {
      const int64_t c = chosen.nextIndex(g, fromBlock);
      if (c != SelectedIndices::kNoIndex)
        best = minOf(best, maxOf(kt, c * block / geometry.tileK));
    }
    return best < geometry.numKeyTiles() ? best : INT64_MAX;
  }

  /// Full when every group of [p0, p1] chose every block the tile's
  /// existing keys touch, Partial when some chose one, else Skipped.
  SPATTN_HOST_DEVICE TileKind kind(const TileGeometry &geometry, int64_t p0, int64_t p1,
                                   int64_t kt) const {
    const int64_t c0 = kt * geometry.tileK / block;
    const int64_t c1 = minOf(kt * geometry.tileK + geometry.tileK, geometry.keyLength) - 1;
    const int64_t blocks = c1 / block - c0 + 1;
    bool any = false, all = true;
    for (int64_t g = groupOf(p0), last = groupOf(p1); g <= last; ++g) {
      const int64_t hits = chosen.countIn(g, c0, c1 / block);
      any |= hits > 0;
      all &= hits == blocks;
    }
    return all && any ? TileKind::Full : any ? TileKind::Partial : TileKind::Skipped;
  }

  SPATTN_HOST_DEVICE bool keeps(int64_t position, int64_t key) const {
    return chosen.contains(groupOf(position), key / block);
  }
};

/// vertical_slash's kept columns (group 0) and diagonal offsets (group 1).
struct VerticalSlashIndices {
  SelectedIndices chosen;

  /// The first key tile >= kt holding a kept column, or a key p - d of a
  /// kept offset d for a present position p in [p0, p1] (kNoTile: none).
  SPATTN_HOST_DEVICE int64_t nextTile(const TileGeometry &geometry, int64_t p0, int64_t p1,
                                      int64_t kt) const {
    const int64_t tileK = geometry.tileK, lk = geometry.keyLength;
    int64_t best = INT64_MAX;
    const int64_t column = chosen.nextIndex(0, kt * tileK);
    if (column != SelectedIndices::kNoIndex && column < lk)
      best = column / tileK;
    // The offsets reaching a key >= kt * tileK are d <= p1 - kt * tileK; the
    // largest of them reaches the lowest keys, from p0 - d up.
    const int64_t limit = p1 - kt * tileK;
    int64_t d = limit;
    if (!chosen.everything()) {
      const int64_t i = chosen.lowerBound(1, limit + 1) - 1;
      d = i >= 0 ? chosen.at(1, i) : INT64_MIN;
    }
    if (d != INT64_MIN) {
      const int64_t key = maxOf(maxOf(p0 - d, kt * tileK), 0);
      if (key < lk && key <= p1 - d)
        best = minOf(best, key / tileK);
    }
    return best;
  }

  /// Every tile it reaches is partial: the kept pairs are lines.
  SPATTN_HOST_DEVICE TileKind kind(const TileGeometry &geometry, int64_t p0, int64_t p1,
                                   int64_t kt) const {
    return nextTile(geometry, p0, p1, kt) == kt ? TileKind::Partial : TileKind::Skipped;
  }

  SPATTN_HOST_DEVICE bool keeps(int64_t position, int64_t key) const {
    return chosen.contains(0, key) || chosen.contains(1, position - key);
  }
};

} // namespace spattn::core

#endif
