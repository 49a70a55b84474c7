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

/// Pages of `page` keys chosen per query row (pages; group ids are rows, so a
/// caller may pass only the rows of the tile). Full only for a tile with one
/// present row.
TileRanges pageSelectionRanges(const TileGeometry &geometry,
                               const IndexGroups &rowsPages, int64_t page,
                               int64_t q);
bool pageSelectionKeeps(const IndexGroups &rowsPages, int64_t page, int64_t row,
                        int64_t key);

/// Key columns and diagonal offsets d = p - j (vertical_slash): every tile
/// they reach is partial.
TileRanges verticalSlashRanges(const TileGeometry &geometry,
                               const std::vector<int64_t> &columns,
                               const std::vector<int64_t> &offsets, int64_t q);

/// Membership bitmaps of a vertical_slash selection, for per-token tests.
struct VerticalSlashMembers {
  VerticalSlashMembers(int64_t keyLength, const std::vector<int64_t> &columns,
                       const std::vector<int64_t> &offsets);
  bool keeps(int64_t position, int64_t key) const {
    return isColumn[key] || isOffset[position - key + keyLength];
  }
  int64_t keyLength;
  std::vector<uint8_t> isColumn, isOffset; // isOffset[d + Lk]
};

} // namespace spattn::core

#endif
