//===- BlockSelectionTest.cpp - topk_blocks and mass on hand-built inputs -===//
//
// D = 2, scale = 1. Expected selections are worked out by hand in comments.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace spattn::ref::test {
namespace {

using Blocks = std::vector<std::vector<int64_t>>;

// Lq = Lk = 8, blocks of 2. Pooled keys: c0 (1,0), c1 (0,2), c2 (-2,0),
// c3 (0,-1). Pooled queries: q0 (1,0), q1 (0,1), q2 (-1,1), q3 (0,-2).
// Scores s(q, c):       c0   c1   c2   c3
//                  q0    1    0   -2    0
//                  q1    0    2    0   -1
//                  q2   -1    2    2   -1   (exact tie c1 / c2)
//                  q3    0   -4    0    2   (exact tie c0 / c2)
const std::vector<float> kKeys = {1, 0, 1, 0, 0, 1, 0, 3, -1, 0, -3, 0, 0, -1, 0, -1};
const std::vector<float> kQueries = {1, 0, 1, 0, 0, 1, 0, 1, -1, 0, -1, 2, 0, -1, 0, -3};
const HeadContent kContent = {kQueries.data(), kKeys.data()};

// Lq = 2, Lk = 5 (p = 3, 4: query blocks 1 and 2, each with one row).
// Pooled keys (partial last block averages its one key): c0 (0,1), c1 (2,0),
// c2 (3,0). Scores: q1 = (1,0): 0, 2, 3;  q2 = (0,5): 5, 0, 0.
// Dividing the partial block by b instead would give c2 (1.5,0): score 1.5.
const std::vector<float> kPartialKeys = {0, 1, 0, 1, 2, 0, 2, 0, 3, 0};
const std::vector<float> kPartialQueries = {1, 0, 0, 5};
const HeadContent kPartial = {kPartialQueries.data(), kPartialKeys.data()};

AttentionProblem square(bool causal) { return makeProblem(8, 8, causal, 2, 1.0); }
AttentionProblem partial(bool causal) { return makeProblem(2, 5, causal, 2, 1.0); }

TEST(TopkBlocks, CausalCandidatesAndTies) {
  // k = 1: q2 ties c1 / c2 and q3 ties nothing at the top.
  EXPECT_EQ(selectTopkBlocks(topkBlocks(1, 2), square(true), kContent),
            (Blocks{{0}, {1}, {1}, {3}}));
  // k = 2: q0 has a single candidate; q3's second place is a c0 / c2 tie.
  EXPECT_EQ(selectTopkBlocks(topkBlocks(2, 2), square(true), kContent),
            (Blocks{{0}, {0, 1}, {1, 2}, {0, 3}}));
}

TEST(TopkBlocks, NonCausalSeesEveryBlock) {
  // q0: c0 then the c1 / c3 tie; q1: c1 then the c0 / c2 tie.
  EXPECT_EQ(selectTopkBlocks(topkBlocks(2, 2), square(false), kContent),
            (Blocks{{0, 1}, {0, 1}, {1, 2}, {0, 3}}));
}

TEST(TopkBlocks, BudgetLargerThanCandidates) {
  EXPECT_EQ(selectTopkBlocks(topkBlocks(10, 2), square(true), kContent),
            (Blocks{{0}, {0, 1}, {0, 1, 2}, {0, 1, 2, 3}}));
  EXPECT_EQ(selectTopkBlocks(topkBlocks(0, 2), square(true), kContent),
            (Blocks{{}, {}, {}, {}}));
}

TEST(TopkBlocks, PartialBlocksAndAbsoluteQueryBlocks) {
  EXPECT_EQ(firstQueryBlock(partial(false), 2), 1);
  EXPECT_EQ(numQueryBlocks(partial(false), 2), 2);
  EXPECT_EQ(selectTopkBlocks(topkBlocks(1, 2), partial(false), kPartial),
            (Blocks{{2}, {0}}));
  // Causal: query block 1 only sees c0, c1.
  EXPECT_EQ(selectTopkBlocks(topkBlocks(1, 2), partial(true), kPartial),
            (Blocks{{1}, {0}}));
}

TEST(TopkBlocks, Mask) {
  EXPECT_EQ(maskRows(topkBlocks(1, 2), square(true), 0, kContent),
            (Rows{"10000000", "11000000", "00100000", "00110000", "00110000",
                  "00110000", "00000010", "00000011"}));
  EXPECT_EQ(maskRows(topkBlocks(1, 2), partial(false), 0, kPartial),
            (Rows{"00001", "11000"}));
  EXPECT_EQ(maskRows(topkBlocks(1, 2), partial(true), 0, kPartial),
            (Rows{"00110", "11000"}));
}

TEST(TopkBlocks, NeedsContent) {
  EXPECT_THROW(selectTopkBlocks(topkBlocks(1, 2), square(true), {}),
               std::invalid_argument);
}

// Masses n_c exp(s) / sum, non-causal (every n_c = 2):
//   q0: c0 .560, c1 .206, c3 .206, c2 .028
//   q1: c1 .757, c0 .102, c2 .102, c3 .038
//   q2: c1 .476, c2 .476, c0 .024, c3 .024
//   q3: c3 .785, c0 .106, c2 .106, c1 .002
TEST(Mass, PrefixReachesGamma) {
  EXPECT_EQ(selectMassBlocks(mass(0.5, 2, 4), square(false), kContent),
            (Blocks{{0}, {1}, {1, 2}, {3}}));
  // q0: .560 + .206 = .766 < .85, so a third block (c3 wins the tie).
  EXPECT_EQ(selectMassBlocks(mass(0.85, 2, 4), square(false), kContent),
            (Blocks{{0, 1, 3}, {0, 1}, {1, 2}, {0, 3}}));
  EXPECT_EQ(selectMassBlocks(mass(1.0, 2, 4), square(false), kContent),
            (Blocks{{0, 1, 2, 3}, {0, 1, 2, 3}, {0, 1, 2, 3}, {0, 1, 2, 3}}));
}

TEST(Mass, MaxBlocksCapsThePrefix) {
  // q2's tie between c1 and c2 goes to c1.
  EXPECT_EQ(selectMassBlocks(mass(0.85, 2, 1), square(false), kContent),
            (Blocks{{0}, {1}, {1}, {3}}));
  EXPECT_EQ(selectMassBlocks(mass(0.85, 2, 0), square(false), kContent),
            (Blocks{{}, {}, {}, {}}));
}

TEST(Mass, CausalCandidates) {
  // q0: only c0 (mass 1); q1: c1 .881; q2: c1 .488 + c2 .488; q3 as above.
  EXPECT_EQ(selectMassBlocks(mass(0.85, 2, 4), square(true), kContent),
            (Blocks{{0}, {1}, {1, 2}, {0, 3}}));
}

TEST(Mass, PartialBlockCountsItsKeys) {
  // q1: weights 2 e^0, 2 e^2, 1 e^3 -> c2 .545, c1 .401, c0 .054; dropping
  // the key counts n_c would give c2 .705 and stop after one block at 0.6.
  // q2: c0 .990.
  EXPECT_EQ(selectMassBlocks(mass(0.6, 2, 3), partial(false), kPartial),
            (Blocks{{1, 2}, {0}}));
  EXPECT_EQ(selectMassBlocks(mass(0.5, 2, 3), partial(false), kPartial),
            (Blocks{{2}, {0}}));
  EXPECT_EQ(maskRows(mass(0.6, 2, 3), partial(false), 0, kPartial),
            (Rows{"00111", "11000"}));
}

} // namespace
} // namespace spattn::ref::test
