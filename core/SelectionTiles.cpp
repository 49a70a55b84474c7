//===- SelectionTiles.cpp - Tiles and keeps of a selection ----------------===//
#include "core/SelectionTiles.h"

#include <algorithm>

namespace spattn::core {

namespace {

/// Key tiles covering pattern block c of `block` keys.
TileRange blockTiles(int64_t c, int64_t block, int64_t tileK, bool full) {
  return {c * block / tileK, ((c + 1) * block + tileK - 1) / tileK,
          full ? TileKind::Full : TileKind::Partial};
}

/// out[jj] = 1 iff group `id` of `groups` holds block (key0 + jj) / block:
/// the kept blocks' overlap with [key0, key0 + n) written as runs.
void fillGroupBlocks(const IndexGroups &groups, int64_t id, int64_t block,
                     int64_t key0, int64_t n, uint8_t *out) {
  std::fill(out, out + n, uint8_t{0});
  const int64_t g = id - groups.firstGroup;
  if (g < 0 || g >= groups.count || block <= 0)
    return;
  const int64_t *end = groups.indices + groups.offsets[g + 1];
  for (const int64_t *c = std::lower_bound(groups.indices + groups.offsets[g], end,
                                           floorDiv(key0, block));
       c != end && *c * block < key0 + n; ++c) {
    const int64_t lo = std::max(*c * block, key0);
    const int64_t hi = std::min((*c + 1) * block, key0 + n);
    std::fill(out + (lo - key0), out + (hi - key0), uint8_t{1});
  }
}

} // namespace

bool IndexGroups::contains(int64_t id, int64_t value) const {
  int64_t g = id - firstGroup;
  if (g < 0 || g >= count)
    return false;
  return std::binary_search(indices + offsets[g], indices + offsets[g + 1],
                            value);
}

/// The tiles of the blocks chosen by groups [firstId, lastId] (absolute ids).
static TileRanges groupTiles(const IndexGroups &chosen, int64_t firstId,
                             int64_t lastId, int64_t block, int64_t tileK,
                             bool full) {
  std::vector<TileRange> out;
  for (int64_t g = std::max<int64_t>(firstId - chosen.firstGroup, 0);
       g <= std::min(lastId - chosen.firstGroup, chosen.count - 1); ++g)
    for (int64_t k = chosen.offsets[g]; k < chosen.offsets[g + 1]; ++k)
      out.push_back(blockTiles(chosen.indices[k], block, tileK, full));
  return normalizeRanges(std::move(out));
}

TileRanges blockSelectionRanges(const TileGeometry &geometry,
                                const IndexGroups &chosen, int64_t block,
                                int64_t q) {
  bool full = block >= geometry.tileQ && block >= geometry.tileK;
  return groupTiles(chosen, geometry.firstPositionOf(q) / block,
                    geometry.lastPositionOf(q) / block, block, geometry.tileK,
                    full);
}

bool blockSelectionKeeps(const IndexGroups &chosen, int64_t block,
                         int64_t position, int64_t key) {
  return chosen.contains(position / block, key / block);
}

void blockSelectionFill(const IndexGroups &chosen, int64_t block, int64_t position,
                        int64_t key0, int64_t n, uint8_t *out) {
  fillGroupBlocks(chosen, position / block, block, key0, n, out);
}

TileRanges pageSelectionRanges(const TileGeometry &geometry,
                               const IndexGroups &rowsPages, int64_t page,
                               int64_t q) {
  int64_t first = geometry.firstPositionOf(q), last = geometry.lastPositionOf(q);
  bool full = first == last && page >= geometry.tileK;
  return groupTiles(rowsPages, first - geometry.firstPosition(),
                    last - geometry.firstPosition(), page, geometry.tileK, full);
}

bool pageSelectionKeeps(const IndexGroups &rowsPages, int64_t page,
                        int64_t row, int64_t key) {
  return rowsPages.contains(row, key / page);
}

void pageSelectionFill(const IndexGroups &rowsPages, int64_t page, int64_t row,
                       int64_t key0, int64_t n, uint8_t *out) {
  fillGroupBlocks(rowsPages, row, page, key0, n, out);
}

TileRanges verticalSlashRanges(const TileGeometry &geometry,
                               const std::vector<int64_t> &columns,
                               const std::vector<int64_t> &offsets, int64_t q) {
  std::vector<TileRange> out;
  const int64_t tileK = geometry.tileK;
  for (int64_t j : columns)
    out.push_back({j / tileK, j / tileK + 1, TileKind::Partial});
  int64_t first = geometry.firstPositionOf(q), last = geometry.lastPositionOf(q);
  for (int64_t d : offsets)
    out.push_back({floorDiv(first - d, tileK), floorDiv(last - d, tileK) + 1,
                   TileKind::Partial});
  return normalizeRanges(std::move(out));
}

VerticalSlashMembers::VerticalSlashMembers(int64_t keyLength,
                                           const std::vector<int64_t> &columns,
                                           const std::vector<int64_t> &offsets)
    : keyLength(keyLength), isColumn(keyLength, 0), isOffsetAt(2 * keyLength + 1, 0) {
  for (int64_t j : columns)
    isColumn[j] = 1;
  for (int64_t d : offsets)
    isOffsetAt[keyLength - d] = 1;
}

void VerticalSlashMembers::fill(int64_t position, int64_t key0, int64_t n,
                                uint8_t *out) const {
  // Plain pointers, so the loop vectorizes (the bitmaps' members may not
  // alias `out`).
  const uint8_t *__restrict column = isColumn.data() + key0;
  const uint8_t *__restrict offset = isOffsetAt.data() + key0 - position + keyLength;
  uint8_t *__restrict row = out;
  for (int64_t jj = 0; jj < n; ++jj)
    row[jj] = column[jj] | offset[jj];
}

} // namespace spattn::core
