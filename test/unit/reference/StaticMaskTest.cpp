//===- StaticMaskTest.cpp - Token-level masks against hand-worked ones ----===//
//
// Every expected mask below was worked out by hand from docs/semantics.md:
// p(i) = Lk - Lq + i, d = p(i) - j, causal keeps j <= p(i).
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include <gtest/gtest.h>

namespace spattn::ref::test {
namespace {

TEST(WindowMask, CausalSquare) {
  Rows expected = {"10000", "11000", "11100", "01110", "00111"};
  EXPECT_EQ(maskRows(window(3), makeProblem(5, 5, true)), expected);
  // 0 <= d already excludes the future, so causal changes nothing.
  EXPECT_EQ(maskRows(window(3), makeProblem(5, 5, false)), expected);
}

TEST(WindowMask, LengthBelowWindowAndLengthOne) {
  EXPECT_EQ(maskRows(window(4), makeProblem(2, 2, true)), (Rows{"10", "11"}));
  EXPECT_EQ(maskRows(window(3), makeProblem(1, 1, false)), (Rows{"1"}));
  EXPECT_EQ(maskRows(window(0), makeProblem(3, 3, false)),
            (Rows{"000", "000", "000"}));
}

TEST(WindowMask, Decode) {
  // Lq = 1: the row sits at p = 5.
  EXPECT_EQ(maskRows(window(2), makeProblem(1, 6, true)), (Rows{"000011"}));
  // Lq = 3, Lk = 10: p = 7, 8, 9.
  EXPECT_EQ(maskRows(window(2), makeProblem(3, 10, true)),
            (Rows{"0000001100", "0000000110", "0000000011"}));
}

TEST(SymmetricWindowMask, CausalAndNot) {
  EXPECT_EQ(maskRows(symmetricWindow(2), makeProblem(5, 5, false)),
            (Rows{"11000", "11100", "01110", "00111", "00011"}));
  EXPECT_EQ(maskRows(symmetricWindow(2), makeProblem(5, 5, true)),
            (Rows{"10000", "11000", "01100", "00110", "00011"}));
  // Decode without causal: the window reaches past p(i) but not past Lk.
  EXPECT_EQ(maskRows(symmetricWindow(2), makeProblem(3, 10, false)),
            (Rows{"0000001110", "0000000111", "0000000011"}));
}

TEST(SinkMask, CausalAndBeyondLength) {
  EXPECT_EQ(maskRows(sink(2), makeProblem(4, 4, false)),
            (Rows{"1100", "1100", "1100", "1100"}));
  EXPECT_EQ(maskRows(sink(2), makeProblem(4, 4, true)),
            (Rows{"1000", "1100", "1100", "1100"}));
  EXPECT_EQ(maskRows(sink(5), makeProblem(2, 4, false)),
            (Rows{"1111", "1111"}));
  EXPECT_EQ(maskRows(sink(0), makeProblem(1, 1, false)), (Rows{"0"}));
}

TEST(GlobalQueriesMask, CausalNonCausalDecode) {
  EXPECT_EQ(maskRows(globalQueries(2), makeProblem(4, 4, true)),
            (Rows{"1000", "1100", "0000", "0000"}));
  EXPECT_EQ(maskRows(globalQueries(2), makeProblem(4, 4, false)),
            (Rows{"1111", "1111", "0000", "0000"}));
  // p = 2, 3: only the first row is global.
  EXPECT_EQ(maskRows(globalQueries(3), makeProblem(2, 4, false)),
            (Rows{"1111", "0000"}));
}

TEST(StridedMask, NegativeOffsetsWithoutCausal) {
  // j = 3 in row 0 has d = -3, which is 0 mod 3.
  EXPECT_EQ(maskRows(strided(3), makeProblem(7, 7, false)),
            (Rows{"1001001", "0100100", "0010010", "1001001", "0100100",
                  "0010010", "1001001"}));
  EXPECT_EQ(maskRows(strided(3), makeProblem(7, 7, true)),
            (Rows{"1000000", "0100000", "0010000", "1001000", "0100100",
                  "0010010", "1001001"}));
  EXPECT_EQ(maskRows(strided(2), makeProblem(1, 5, true)), (Rows{"10101"}));
}

TEST(DilatedWindowMask, TapsAndDecode) {
  // w = 2 taps, t = 3 apart: d in {0, 3}.
  Rows expected = {"10000000", "01000000", "00100000", "10010000",
                   "01001000", "00100100", "00010010", "00001001"};
  EXPECT_EQ(maskRows(dilatedWindow(2, 3), makeProblem(8, 8, true)), expected);
  EXPECT_EQ(maskRows(dilatedWindow(2, 3), makeProblem(8, 8, false)), expected);
  // d in {0, 2, 4} at p = 7, 8, 9.
  EXPECT_EQ(maskRows(dilatedWindow(3, 2), makeProblem(3, 10, true)),
            (Rows{"0001010100", "0000101010", "0000010101"}));
}

TEST(BlockLayoutMask, OutsideTheMatrixIsDropped) {
  // 2x2 blocks of 2 over 6 tokens: query block 2 and key block 2 lie outside.
  Pattern p = blockLayout(2, {"10", "11"});
  EXPECT_EQ(maskRows(p, makeProblem(6, 6, false)),
            (Rows{"110000", "110000", "111100", "111100", "000000", "000000"}));
  EXPECT_EQ(maskRows(p, makeProblem(6, 6, true)),
            (Rows{"100000", "110000", "111000", "111100", "000000", "000000"}));
}

TEST(BlockLayoutMask, PartialBlocksAndAbsoluteQueryBlocks) {
  EXPECT_EQ(maskRows(blockLayout(2, {"100", "010", "001"}), makeProblem(5, 5, false)),
            (Rows{"11000", "11000", "00110", "00110", "00001"}));
  // p = 2, 3, 4 are query blocks 1, 1, 2 even though Lq = 3.
  EXPECT_EQ(maskRows(blockLayout(2, {"000", "100", "011"}), makeProblem(3, 5, true)),
            (Rows{"11000", "11000", "00111"}));
}

TEST(NegativePositions, MoreQueriesThanKeys) {
  // Lq = 3, Lk = 2: p = -1, 0, 1. Query block floor(-1 / 2) = -1 lies
  // outside the layout; j = 1 is 2 (mod 2) from p = -1.
  EXPECT_EQ(maskRows(strided(2), makeProblem(3, 2, false)), (Rows{"01", "10", "01"}));
  EXPECT_EQ(maskRows(blockLayout(2, {"11"}), makeProblem(3, 2, false)),
            (Rows{"00", "11", "11"}));
  EXPECT_EQ(maskRows(sink(2), makeProblem(3, 2, true)), (Rows{"00", "10", "11"}));
}

TEST(CombinatorMask, UnionAndIntersect) {
  EXPECT_EQ(maskRows(combine(PatternKind::Union, {window(2), sink(1)}),
                     makeProblem(5, 5, true)),
            (Rows{"10000", "11000", "11100", "10110", "10011"}));
  // window(4) and strided(2): d in {0, 2}.
  EXPECT_EQ(maskRows(combine(PatternKind::Intersect, {strided(2), window(4)}),
                     makeProblem(6, 6, true)),
            (Rows{"100000", "010000", "101000", "010100", "001010", "000101"}));
}

TEST(PerHeadMask, HeadsPickTheirChild) {
  Pattern p = perHead({0, 2}, {window(1), combine(PatternKind::Union, {sink(1), window(1)})});
  AttentionProblem problem = makeProblem(3, 3, true);
  problem.numQHeads = 3;
  Rows diagonal = {"100", "010", "001"};
  EXPECT_EQ(maskRows(p, problem, 0), diagonal);
  EXPECT_EQ(maskRows(p, problem, 1), diagonal);
  EXPECT_EQ(maskRows(p, problem, 2), (Rows{"100", "110", "101"}));
}

TEST(MaskEvaluatorTest, LongRowCountsAndResize) {
  // Lk = 131072, last row p = 131071: window 130048..131071 (1024 keys),
  // sink 0..3, strided j = 4095 + 4096 m (32 keys, one inside the window).
  const int64_t lk = 131072;
  Pattern p = combine(PatternKind::Union, {window(1024), sink(4), strided(4096)});
  MaskEvaluator evaluator(p, makeProblem(lk, lk, true), 0, {});
  std::vector<uint8_t> keep(3, 7);
  evaluator.row(lk - 1, keep);
  ASSERT_EQ(static_cast<int64_t>(keep.size()), lk);
  int64_t kept = 0;
  for (uint8_t k : keep)
    kept += k;
  EXPECT_EQ(kept, 1024 + 4 + 31);
  // Row 4096: window 3073..4096, sink 0..3; strided j = 0 and 4096 are both
  // already in, and causal drops the rest.
  evaluator.row(4096, keep);
  kept = 0;
  for (uint8_t k : keep)
    kept += k;
  EXPECT_EQ(kept, 1024 + 4);
  EXPECT_EQ(keep[4097], 0); // causal
}

TEST(PatternTest, Helpers) {
  EXPECT_STREQ(patternKindName(PatternKind::TopkBlocks), "topk_blocks");
  EXPECT_STREQ(patternKindName(PatternKind::SymmetricWindow), "window");
  EXPECT_FALSE(combine(PatternKind::Union, {window(1), sink(1)}).needsContent());
  EXPECT_TRUE(perHead({0, 1}, {window(1), combine(PatternKind::Union, {pages(1, 4)})})
                  .needsContent());
  EXPECT_DOUBLE_EQ(makeProblem(1, 1, false, 4).effectiveScale(), 0.5);
  EXPECT_DOUBLE_EQ(makeProblem(1, 1, false, 4, 0.125).effectiveScale(), 0.125);
}

} // namespace
} // namespace spattn::ref::test
