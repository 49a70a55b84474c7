//===- BlockGrid.h - Positions, blocks and tiles of one call ----*- C++ -*-===//
//
// docs/semantics.md: query row i sits at p(i) = Lk - Lq + i, and blocks are
// absolute, so query and key blocks share one grid also when Lq < Lk. This
// header is that grid, for tiles (the kernels' block_q x block_k) and for a
// pattern's own blocks.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_CORE_BLOCKGRID_H
#define SPATTN_CORE_BLOCKGRID_H

#include "core/IntegerMath.h"

#include <cstdint>

namespace spattn::core {

/// The block of `block` positions (or keys) holding `position`.
SPATTN_HOST_DEVICE inline int64_t blockOf(int64_t position, int64_t block) {
  return floorDiv(position, block);
}

/// Tile sizes and the call's lengths (positions p(i) = Lk - Lq + i).
struct TileGeometry {
  int64_t tileQ = 64, tileK = 64;
  int64_t queryLength = 1, keyLength = 1;

  /// p(0).
  SPATTN_HOST_DEVICE int64_t firstPosition() const {
    return keyLength - queryLength;
  }
  /// Present positions of query tile q: [firstPositionOf, lastPositionOf].
  SPATTN_HOST_DEVICE int64_t firstPositionOf(int64_t q) const {
    int64_t start = q * tileQ;
    return start > firstPosition() ? start : firstPosition();
  }
  SPATTN_HOST_DEVICE int64_t lastPositionOf(int64_t q) const {
    int64_t end = q * tileQ + tileQ - 1;
    return end < keyLength - 1 ? end : keyLength - 1;
  }
  /// Query tiles with a present row: [firstQueryTile, endQueryTile).
  SPATTN_HOST_DEVICE int64_t firstQueryTile() const {
    return firstPosition() / tileQ;
  }
  SPATTN_HOST_DEVICE int64_t endQueryTile() const {
    return (keyLength - 1) / tileQ + 1;
  }
  /// ceil(Lk / tileK).
  SPATTN_HOST_DEVICE int64_t numKeyTiles() const {
    return ceilDiv(keyLength, tileK);
  }
};

} // namespace spattn::core

#endif
