//===- TileRangesTest.cpp - Union / intersection of key-tile ranges -------===//
//
// The range algebra against a per-tile model: random range lists, each
// expanded to one kind per tile; union is the per-tile max, intersection
// the per-tile min, normalization keeps the strongest kind.
//
//===----------------------------------------------------------------------===//
#include "core/TileRanges.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace spattn::core {
namespace {

constexpr int64_t kTiles = 40;

std::vector<TileKind> perTile(const TileRanges &ranges) {
  std::vector<TileKind> kinds(kTiles, TileKind::Skipped);
  for (const TileRange &r : ranges)
    for (int64_t t = r.lo; t < r.hi; ++t)
      kinds[t] = std::max(kinds[t], r.kind);
  return kinds;
}

void expectCanonical(const TileRanges &ranges) {
  for (size_t k = 0; k < ranges.size(); ++k) {
    EXPECT_LT(ranges[k].lo, ranges[k].hi);
    EXPECT_NE(ranges[k].kind, TileKind::Skipped);
    if (k > 0) {
      EXPECT_LE(ranges[k - 1].hi, ranges[k].lo);
      EXPECT_FALSE(ranges[k - 1].hi == ranges[k].lo &&
                   ranges[k - 1].kind == ranges[k].kind)
          << "adjacent ranges of one kind are merged";
    }
  }
}

TEST(TileRanges, HandWorkedUnionAndIntersection) {
  TileRanges a = {{0, 4, TileKind::Partial}, {4, 6, TileKind::Full}};
  TileRanges b = {{2, 8, TileKind::Partial}};
  EXPECT_EQ(uniteRanges(a, b),
            (TileRanges{{0, 4, TileKind::Partial}, {4, 6, TileKind::Full},
                        {6, 8, TileKind::Partial}}));
  EXPECT_EQ(intersectRanges(a, b), (TileRanges{{2, 6, TileKind::Partial}}));
  EXPECT_EQ(clipRanges(a, 1, 5),
            (TileRanges{{1, 4, TileKind::Partial}, {4, 5, TileKind::Full}}));
  EXPECT_EQ(countTiles(a), 6);
  EXPECT_EQ(countTiles(a, TileKind::Full), 2);
  // A leaf's full range inside its touched range: full wins, empty ranges vanish.
  EXPECT_EQ(normalizeRanges({{0, 10, TileKind::Partial},
                             {3, 5, TileKind::Full},
                             {7, 7, TileKind::Full},
                             {9, 2, TileKind::Partial}}),
            (TileRanges{{0, 3, TileKind::Partial}, {3, 5, TileKind::Full},
                        {5, 10, TileKind::Partial}}));
}

TEST(TileRanges, RandomListsMatchPerTileModel) {
  std::mt19937 rng(11);
  auto uniform = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  auto randomList = [&] {
    std::vector<TileRange> raw;
    for (int64_t n = uniform(0, 6); n > 0; --n)
      raw.push_back({uniform(0, kTiles), uniform(0, kTiles),
                     uniform(0, 1) ? TileKind::Full : TileKind::Partial});
    return raw;
  };
  for (int trial = 0; trial < 2000; ++trial) {
    std::vector<TileRange> rawA = randomList(), rawB = randomList();
    TileRanges a = normalizeRanges(rawA), b = normalizeRanges(rawB);
    expectCanonical(a);
    ASSERT_EQ(perTile(a), perTile(rawA));
    std::vector<TileKind> ka = perTile(a), kb = perTile(b), want(kTiles);
    TileRanges u = uniteRanges(a, b), n = intersectRanges(a, b);
    expectCanonical(u);
    expectCanonical(n);
    for (int64_t t = 0; t < kTiles; ++t)
      want[t] = std::max(ka[t], kb[t]);
    ASSERT_EQ(perTile(u), want) << "trial " << trial;
    for (int64_t t = 0; t < kTiles; ++t)
      want[t] = std::min(ka[t], kb[t]);
    ASSERT_EQ(perTile(n), want) << "trial " << trial;
  }
}

} // namespace
} // namespace spattn::core
