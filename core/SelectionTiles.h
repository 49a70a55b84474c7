//===- SelectionTiles.h - Tiles and keeps of a selection --------*- C++ -*-===//
//
// How the attend stage (`spattn.blocks.selected`, `spattn.blocks.layout`)
// turns chosen indices into key-tile ranges for one query tile, and into the
// token predicate of its partial tiles. Shared by the schedule evaluator
// (tests, tools) and every generated library, so the rule exists once.
// Free of MLIR.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_CORE_SELECTIONTILES_H
#define SPATTN_CORE_SELECTIONTILES_H

#include "core/BlockGrid.h"
#include "core/TileRanges.h"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace spattn::core {


/// Sorted index groups in CSR form: group g holds
/// indices[offsets[g] .. offsets[g + 1]). Groups outside [0, count) are
/// empty.
struct IndexGroups {
  int64_t firstGroup = 0; // the id of group 0 (an absolute query block)
  int64_t count = 0;
  const int64_t *offsets = nullptr;
  const int64_t *indices = nullptr;

  /// Whether group `id` (absolute) holds `value`.
  bool contains(int64_t id, int64_t value) const;
};

/// Key blocks of `block` keys chosen per query block of `block` positions
/// (random_blocks, topk_blocks, mass, block_layout rows): the tiles of query
/// tile q. Full when a tile lies inside one block on both sides.
TileRanges blockSelectionRanges(const TileGeometry &geometry,
                                const IndexGroups &chosen, int64_t block,
                                int64_t q);
bool blockSelectionKeeps(const IndexGroups &chosen, int64_t block,
                         int64_t position, int64_t key);
/// out[jj] = blockSelectionKeeps(chosen, block, position, key0 + jj), jj < n.
void blockSelectionFill(const IndexGroups &chosen, int64_t block, int64_t position,
                        int64_t key0, int64_t n, uint8_t *out);

/// Pages of `page` keys chosen per query row (pages; group ids are rows, so a
/// caller may pass only the rows of the tile). Full only for a tile with one
/// present row.
TileRanges pageSelectionRanges(const TileGeometry &geometry,
                               const IndexGroups &rowsPages, int64_t page,
                               int64_t q);
bool pageSelectionKeeps(const IndexGroups &rowsPages, int64_t page, int64_t row,
                        int64_t key);
/// out[jj] = pageSelectionKeeps(rowsPages, page, row, key0 + jj), jj < n.
void pageSelectionFill(const IndexGroups &rowsPages, int64_t page, int64_t row,
                       int64_t key0, int64_t n, uint8_t *out);

/// Key columns and diagonal offsets d = p - j (vertical_slash): every tile
/// they reach is partial.
TileRanges verticalSlashRanges(const TileGeometry &geometry,
                               const std::vector<int64_t> &columns,
                               const std::vector<int64_t> &offsets, int64_t q);

/// A token predicate's tiles for query tile q, by evaluating it on every
/// pair of the tile's nominal positions [q*tileQ, min(q*tileQ + tileQ, Lk) - 1]
/// and existing keys: full where every pair is kept, partial where some
/// are. Costs tileQ * Lk evaluations (spattn.blocks.predicate).
template <typename Keeps>
TileRanges predicateRanges(const TileGeometry &geometry, int64_t q, Keeps &&keeps) {
  TileRanges out;
  int64_t first = q * geometry.tileQ;
  int64_t last = std::min(first + geometry.tileQ, geometry.keyLength) - 1;
  for (int64_t c = 0, tiles = geometry.numKeyTiles(); c < tiles; ++c) {
    int64_t kept = 0, pairs = 0;
    for (int64_t pos = first; pos <= last; ++pos)
      for (int64_t j = c * geometry.tileK,
                   end = std::min((c + 1) * geometry.tileK, geometry.keyLength);
           j < end; ++j, ++pairs)
        kept += keeps(pos, j) ? 1 : 0;
    TileKind kind = kept == 0 ? TileKind::Skipped
                    : kept == pairs ? TileKind::Full
                                    : TileKind::Partial;
    if (kind == TileKind::Skipped)
      continue;
    if (!out.empty() && out.back().hi == c && out.back().kind == kind)
      out.back().hi = c + 1;
    else
      out.push_back({c, c + 1, kind});
  }
  return out;
}

/// Membership bitmaps of a vertical_slash selection, for per-token tests.
struct VerticalSlashMembers {
  VerticalSlashMembers(int64_t keyLength, const std::vector<int64_t> &columns,
                       const std::vector<int64_t> &offsets);
  bool keeps(int64_t position, int64_t key) const {
    return isColumn[key] || isOffsetAt[key - position + keyLength];
  }
  /// out[jj] = keeps(position, key0 + jj) for jj < n.
  void fill(int64_t position, int64_t key0, int64_t n, uint8_t *out) const;
  int64_t keyLength;
  /// isOffsetAt[Lk - d]: offset d = position - key is kept. Indexed so that
  /// it grows with the key, as isColumn does: a row is then the OR of two
  /// forward runs, which any vector unit does without a byte shuffle.
  std::vector<uint8_t> isColumn, isOffsetAt;
};

} // namespace spattn::core

#endif
