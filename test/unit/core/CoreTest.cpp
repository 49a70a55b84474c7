//===- CoreTest.cpp - The semantic primitives of core/ --------------------===//
//
// Integer math against exact rational floors and ceilings, the fixed-
// capacity tile-range algebra against the vector form, the block grid
// against the positions of docs/semantics.md, and the selections' mask-row
// fills against their per-key predicates.
//
//===----------------------------------------------------------------------===//
#include "core/BlockGrid.h"
#include "core/IntegerMath.h"
#include "core/SelectionTiles.h"
#include "core/TileRanges.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

namespace spattn::core {
namespace {

TEST(IntegerMath, MatchesExactFloorCeilAndMod) {
  for (int64_t a = -50; a <= 50; ++a)
    for (int64_t b = -7; b <= 7; ++b) {
      if (b == 0) {
        EXPECT_EQ(floorDiv(a, b), 0);
        EXPECT_EQ(ceilDiv(a, b), 0);
        EXPECT_EQ(modulo(a, b), 0);
        continue;
      }
      double exact = static_cast<double>(a) / static_cast<double>(b);
      EXPECT_EQ(floorDiv(a, b), static_cast<int64_t>(std::floor(exact))) << a << "/" << b;
      EXPECT_EQ(ceilDiv(a, b), static_cast<int64_t>(std::ceil(exact))) << a << "/" << b;
      if (b > 0) {
        EXPECT_EQ(modulo(a, b), a - floorDiv(a, b) * b);
        EXPECT_GE(modulo(a, b), 0);
      } else {
        EXPECT_EQ(modulo(a, b), 0);
      }
    }
}

TEST(BlockGrid, DecodeAndChunkPositions) {
  TileGeometry decode{64, 64, 1, 1000};
  EXPECT_EQ(decode.firstPosition(), 999);
  EXPECT_EQ(decode.firstQueryTile(), 15);
  EXPECT_EQ(decode.endQueryTile(), 16);
  EXPECT_EQ(decode.firstPositionOf(15), 999);
  EXPECT_EQ(decode.lastPositionOf(15), 999);
  EXPECT_EQ(decode.numKeyTiles(), 16);
  TileGeometry chunk{64, 32, 67, 200};
  EXPECT_EQ(chunk.firstPositionOf(2), 133);
  EXPECT_EQ(chunk.lastPositionOf(3), 199);
  EXPECT_EQ(chunk.numKeyTiles(), 7);
  EXPECT_EQ(blockOf(-1, 64), -1);
}

TEST(FixedTileRanges, AgreesWithVectorAlgebra) {
  std::mt19937 rng(5);
  auto uniform = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  auto randomLeaf = [&] {
    return FixedTileRanges<4>::leaf(uniform(-2, 30), uniform(-2, 30), uniform(-2, 30),
                                    uniform(-2, 30));
  };
  auto asVector = [](const auto &fixed) {
    return TileRanges(fixed.runs, fixed.runs + fixed.count);
  };
  for (int trial = 0; trial < 3000; ++trial) {
    int64_t tlo = uniform(-2, 30), thi = uniform(-2, 30);
    int64_t flo = uniform(-2, 30), fhi = uniform(-2, 30);
    FixedTileRanges<4> leaf = FixedTileRanges<4>::leaf(tlo, thi, flo, fhi);
    // A leaf as the host builds it: the touched range, the full range inside.
    TileRanges want = thi > tlo ? normalizeRanges({{tlo, thi, TileKind::Partial},
                                                   {std::max(tlo, flo), std::min(thi, fhi),
                                                    TileKind::Full}})
                                : TileRanges{};
    ASSERT_EQ(asVector(leaf), want) << "trial " << trial;

    FixedTileRanges<4> a = randomLeaf(), b = randomLeaf(), c = randomLeaf();
    auto u = uniteRanges(uniteRanges(a, b), c);
    auto n = intersectRanges(uniteRanges(a, b), c);
    static_assert(decltype(u)::kCapacity == 11, "ends add up: 4 + 4 + 4");
    ASSERT_EQ(asVector(u), uniteRanges(uniteRanges(asVector(a), asVector(b)), asVector(c)));
    ASSERT_EQ(asVector(n),
              intersectRanges(uniteRanges(asVector(a), asVector(b)), asVector(c)));
  }
}

// Random sorted groups of blocks (pages) and random windows of keys,
// including windows that start or end inside a block and groups that are
// empty or out of range.
TEST(SelectionTiles, FillsMatchTheirKeeps) {
  std::mt19937 rng(11);
  auto uniform = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  int64_t kept = 0;
  for (int trial = 0; trial < 300; ++trial) {
    const int64_t block = uniform(1, 70), numBlocks = uniform(1, 40);
    std::vector<int64_t> offsets = {0}, indices;
    for (int64_t g = uniform(0, 6); g > 0; --g) {
      for (int64_t b = 0; b < numBlocks; ++b)
        if (uniform(0, 3) == 0)
          indices.push_back(b);
      offsets.push_back(static_cast<int64_t>(indices.size()));
    }
    IndexGroups groups{uniform(0, 3), static_cast<int64_t>(offsets.size()) - 1,
                       offsets.data(), indices.data()};
    for (int window = 0; window < 20; ++window) {
      const int64_t key0 = uniform(0, block * numBlocks), n = uniform(1, 300);
      const int64_t row = uniform(0, 9), position = uniform(0, 9 * block);
      std::vector<uint8_t> pages(n, 7), blocks(n, 7);
      pageSelectionFill(groups, block, row, key0, n, pages.data());
      blockSelectionFill(groups, block, position, key0, n, blocks.data());
      for (int64_t jj = 0; jj < n; ++jj) {
        ASSERT_EQ(pages[jj], pageSelectionKeeps(groups, block, row, key0 + jj) ? 1 : 0)
            << "page " << block << " row " << row << " key " << key0 + jj;
        ASSERT_EQ(blocks[jj],
                  blockSelectionKeeps(groups, block, position, key0 + jj) ? 1 : 0)
            << "block " << block << " position " << position << " key " << key0 + jj;
        kept += pages[jj] + blocks[jj];
      }
    }
  }
  EXPECT_GT(kept, 10000);
}

// vertical_slash membership: keeps() against the definition (a kept column,
// or a kept offset position - key, negative ones too as bidirectional specs
// have), fill() against keeps() on windows anywhere in the row.
TEST(SelectionTiles, VerticalSlashMembersKeepColumnsAndOffsets) {
  std::mt19937 rng(5);
  auto uniform = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  int64_t kept = 0;
  for (int trial = 0; trial < 200; ++trial) {
    const int64_t lk = uniform(1, 300);
    std::vector<int64_t> columns, offsets;
    for (int64_t j = 0; j < lk; ++j)
      if (uniform(0, 9) == 0)
        columns.push_back(j);
    for (int64_t d = 1 - lk; d < lk; ++d)
      if (uniform(0, 9) == 0)
        offsets.push_back(d);
    const VerticalSlashMembers members(lk, columns, offsets);
    for (int window = 0; window < 10; ++window) {
      const int64_t position = uniform(0, lk - 1), key0 = uniform(0, lk - 1);
      const int64_t n = uniform(1, lk - key0);
      std::vector<uint8_t> row(n, 7);
      members.fill(position, key0, n, row.data());
      for (int64_t jj = 0; jj < n; ++jj) {
        const int64_t key = key0 + jj;
        const bool want =
            std::count(columns.begin(), columns.end(), key) ||
            std::count(offsets.begin(), offsets.end(), position - key);
        ASSERT_EQ(members.keeps(position, key), want)
            << "Lk " << lk << " position " << position << " key " << key;
        ASSERT_EQ(row[jj], want ? 1 : 0)
            << "Lk " << lk << " position " << position << " key " << key;
        kept += want;
      }
    }
  }
  EXPECT_GT(kept, 5000);
}

} // namespace
} // namespace spattn::core
