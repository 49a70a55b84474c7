//===- CoreTest.cpp - The semantic primitives of core/ --------------------===//
//
// Integer math against exact rational floors and ceilings, the fixed-
// capacity tile-range algebra against the vector form, and the block grid
// against the positions of docs/semantics.md.
//
//===----------------------------------------------------------------------===//
#include "core/BlockGrid.h"
#include "core/IntegerMath.h"
#include "core/TileRanges.h"

#include <gtest/gtest.h>

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

} // namespace
} // namespace spattn::core
