//===- RandomBlocksTest.cpp - random_blocks hash, selection and mask ------===//

#include "core/RandomBlockHash.h"
#include "TestUtil.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <utility>

namespace spattn::ref::test {
namespace {

// The PRNG of semantics.md, written out again independently of Selection.cpp.
uint64_t splitmix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

uint64_t expectedHash(uint64_t seed, uint64_t h, uint64_t q, uint64_t k) {
  uint64_t state = splitmix(seed);
  state = splitmix(state ^ h);
  state = splitmix(state ^ q);
  return splitmix(state ^ k);
}

// Per absolute query block: the r candidates with the smallest hash.
std::vector<std::vector<int64_t>> expectedBlocks(const AttentionProblem &problem,
                                                 int64_t r, int64_t b,
                                                 uint64_t seed, int64_t head) {
  int64_t firstQb = (problem.keyLength - problem.queryLength) / b;
  int64_t lastQb = (problem.keyLength - 1) / b;
  int64_t keyBlocks = (problem.keyLength + b - 1) / b;
  std::vector<std::vector<int64_t>> result;
  for (int64_t qb = firstQb; qb <= lastQb; ++qb) {
    int64_t candidates = problem.causal ? qb + 1 : keyBlocks;
    std::vector<std::pair<uint64_t, int64_t>> ranked;
    for (int64_t c = 0; c < candidates; ++c)
      ranked.push_back({expectedHash(seed, head, qb, c), c});
    std::sort(ranked.begin(), ranked.end());
    std::vector<int64_t> kept;
    for (int64_t n = 0; n < std::min<int64_t>(r, candidates); ++n)
      kept.push_back(ranked[n].second);
    std::sort(kept.begin(), kept.end());
    result.push_back(kept);
  }
  return result;
}

TEST(RandomBlocks, HashMatchesTheDocumentedFormula) {
  // Known answer: the first SplitMix64 output for state 0.
  EXPECT_EQ(splitmix(0), 0xE220A8397B1DCDAFull);
  for (uint64_t seed : {0ull, 1ull, 0xDEADBEEFull, ~0ull})
    for (uint64_t h = 0; h < 3; ++h)
      for (uint64_t q = 0; q < 4; ++q)
        for (uint64_t k = 0; k < 4; ++k)
          EXPECT_EQ(core::randomBlockHash(seed, h, q, k), expectedHash(seed, h, q, k));
}

TEST(RandomBlocks, SelectionMatchesIndependentRanking) {
  for (bool causal : {true, false})
    for (int64_t head : {0, 1, 2}) {
      // 37 keys in blocks of 4: the last key block holds one key.
      AttentionProblem problem = makeProblem(37, 37, causal);
      auto selected = selectRandomBlocks(randomBlocks(3, 4, 12345), problem, head);
      EXPECT_EQ(selected, expectedBlocks(problem, 3, 4, 12345, head));
      ASSERT_EQ(selected.size(), 10u);
      for (int64_t qb = 0; qb < 10; ++qb) {
        int64_t candidates = causal ? qb + 1 : 10;
        EXPECT_EQ(static_cast<int64_t>(selected[qb].size()), std::min<int64_t>(3, candidates));
        for (int64_t c : selected[qb])
          EXPECT_LT(c, candidates) << "causal candidates are key blocks 0..qb";
        EXPECT_TRUE(std::is_sorted(selected[qb].begin(), selected[qb].end()));
      }
    }
}

TEST(RandomBlocks, DeterministicAndSeedOrHeadSensitive) {
  AttentionProblem problem = makeProblem(64, 64, false);
  Pattern p = randomBlocks(2, 4, 7);
  auto first = selectRandomBlocks(p, problem, 0);
  EXPECT_EQ(first, selectRandomBlocks(p, problem, 0));
  EXPECT_NE(first, selectRandomBlocks(p, problem, 1));
  EXPECT_NE(first, selectRandomBlocks(randomBlocks(2, 4, 8), problem, 0));
}

TEST(RandomBlocks, DecodeUsesAbsoluteQueryBlock) {
  // Lq = 1 at p = 9: query block 2 of blocks of 4; key blocks 0..2.
  AttentionProblem problem = makeProblem(1, 10, true);
  EXPECT_EQ(firstQueryBlock(problem, 4), 2);
  EXPECT_EQ(numQueryBlocks(problem, 4), 1);
  EXPECT_EQ(numKeyBlocks(problem, 4), 3);
  auto selected = selectRandomBlocks(randomBlocks(2, 4, 99), problem, 5);
  EXPECT_EQ(selected, expectedBlocks(problem, 2, 4, 99, 5));
}

TEST(RandomBlocks, MaskExpandsTheSelectionUnderCausal) {
  AttentionProblem problem = makeProblem(6, 11, true);
  Pattern p = randomBlocks(2, 3, 42);
  auto blocks = expectedBlocks(problem, 2, 3, 42, 1);
  Rows rows = maskRows(p, problem, 1);
  for (int64_t i = 0; i < 6; ++i) {
    int64_t pos = 5 + i;
    const std::vector<int64_t> &kept = blocks[pos / 3 - 5 / 3];
    for (int64_t j = 0; j < 11; ++j) {
      bool inBlock = std::count(kept.begin(), kept.end(), j / 3) > 0;
      EXPECT_EQ(rows[i][j] == '1', inBlock && j <= pos) << "row " << i << " key " << j;
    }
  }
  EXPECT_EQ(maskRows(randomBlocks(0, 3, 42), problem, 1),
            Rows(6, std::string(11, '0')));
}

} // namespace
} // namespace spattn::ref::test
