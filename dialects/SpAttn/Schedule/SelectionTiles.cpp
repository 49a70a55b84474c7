//===- SelectionTiles.cpp - Tiles and keeps of a selection ----------------===//
#include "dialects/SpAttn/Schedule/SelectionTiles.h"

#include <algorithm>

namespace spattn::sched {

namespace {

int64_t floorDiv(int64_t a, int64_t b) {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/// Key tiles covering pattern block c of `block` keys.
TileRange blockTiles(int64_t c, int64_t block, int64_t tileK, bool full) {
  return {c * block / tileK, ((c + 1) * block + tileK - 1) / tileK,
          full ? TileKind::Full : TileKind::Partial};
}

} // namespace

int64_t TileGeometry::firstPositionOf(int64_t q) const {
  return std::max(q * tileQ, firstPosition());
}

int64_t TileGeometry::lastPositionOf(int64_t q) const {
  return std::min(q * tileQ + tileQ - 1, keyLength - 1);
}

bool IndexGroups::contains(int64_t id, int64_t value) const {
  int64_t g = id - firstGroup;
  if (g < 0 || g >= count)
    return false;
  return std::binary_search(indices + offsets[g], indices + offsets[g + 1],
                            value);
}

TileRanges blockSelectionRanges(const TileGeometry &geometry,
                                const IndexGroups &chosen, int64_t block,
                                int64_t q) {
  std::vector<TileRange> out;
  bool full = block >= geometry.tileQ && block >= geometry.tileK;
  int64_t first = geometry.firstPositionOf(q) / block;
  int64_t last = geometry.lastPositionOf(q) / block;
  for (int64_t id = first; id <= last; ++id) {
    int64_t g = id - chosen.firstGroup;
    if (g < 0 || g >= chosen.count)
      continue;
    for (int64_t k = chosen.offsets[g]; k < chosen.offsets[g + 1]; ++k)
      out.push_back(blockTiles(chosen.indices[k], block, geometry.tileK, full));
  }
  return normalizeRanges(std::move(out));
}

bool blockSelectionKeeps(const IndexGroups &chosen, int64_t block,
                         int64_t position, int64_t key) {
  return chosen.contains(position / block, key / block);
}

TileRanges pageSelectionRanges(const TileGeometry &geometry,
                               const IndexGroups &rowsPages, int64_t page,
                               int64_t q) {
  std::vector<TileRange> out;
  int64_t first = geometry.firstPositionOf(q), last = geometry.lastPositionOf(q);
  bool full = first == last && page >= geometry.tileK;
  for (int64_t pos = first; pos <= last; ++pos) {
    int64_t g = pos - geometry.firstPosition() - rowsPages.firstGroup;
    if (g < 0 || g >= rowsPages.count)
      continue;
    for (int64_t k = rowsPages.offsets[g]; k < rowsPages.offsets[g + 1]; ++k)
      out.push_back(blockTiles(rowsPages.indices[k], page, geometry.tileK, full));
  }
  return normalizeRanges(std::move(out));
}

bool pageSelectionKeeps(const IndexGroups &rowsPages, int64_t page,
                        int64_t row, int64_t key) {
  return rowsPages.contains(row, key / page);
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
    : keyLength(keyLength), isColumn(keyLength, 0), isOffset(2 * keyLength, 0) {
  for (int64_t j : columns)
    isColumn[j] = 1;
  for (int64_t d : offsets)
    isOffset[d + keyLength] = 1;
}

} // namespace spattn::sched
