//===- VerticalSlashTest.cpp - vertical_slash on hand-built inputs --------===//
//
// D = 1, scale = 1, so s_ij = q_i * k_j.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include <gtest/gtest.h>

namespace spattn::ref::test {
namespace {

using Indices = std::vector<int64_t>;

// Causal, estimation rows at p = 5, 6, 7, every q = 1, keys k0 = 4, others 0.
// Row p sees j <= p: P(j=0) = e^4 / (e^4 + p) ~ .92, .90, .89; others ~ .016.
// Columns: C(0) ~ 2.70, C(1..5) ~ .049 (exactly equal), C(6), C(7) smaller.
// Offsets: S(5) = P(5,0)+P(6,1)+P(7,2) ~ .949, S(6) ~ .917, S(7) ~ .886,
// S(0..4) ~ .049.
const std::vector<float> kKeys = {4, 0, 0, 0, 0, 0, 0, 0};
const std::vector<float> kOnes(8, 1.0f);

TEST(VerticalSlash, CausalColumnsAndDiagonals) {
  AttentionProblem problem = makeProblem(8, 8, true, 1, 1.0);
  HeadContent content = {kOnes.data(), kKeys.data()};
  VerticalSlashSelection s = selectVerticalSlash(verticalSlash(2, 2, 3), problem, content);
  EXPECT_EQ(s.columns, (Indices{0, 1})); // 1 wins the C(1..5) tie
  EXPECT_EQ(s.offsets, (Indices{5, 6}));
  s = selectVerticalSlash(verticalSlash(1, 3, 3), problem, content);
  EXPECT_EQ(s.columns, (Indices{0}));
  EXPECT_EQ(s.offsets, (Indices{5, 6, 7}));
  // Column 0 everywhere, plus j = p - 5 where it exists.
  EXPECT_EQ(maskRows(verticalSlash(1, 1, 3), problem, 0, content),
            (Rows{"10000000", "10000000", "10000000", "10000000", "10000000",
                  "10000000", "11000000", "10100000"}));
}

TEST(VerticalSlash, DecodeAlignsRowsAndClipsLastQ) {
  // Lq = 3 rows at p = 5, 6, 7 with last_q = 10 > Lq: the same estimation
  // rows as above, hence the same selection.
  AttentionProblem problem = makeProblem(3, 8, true, 1, 1.0);
  HeadContent content = {kOnes.data(), kKeys.data()};
  VerticalSlashSelection s = selectVerticalSlash(verticalSlash(2, 2, 10), problem, content);
  EXPECT_EQ(s.columns, (Indices{0, 1}));
  EXPECT_EQ(s.offsets, (Indices{5, 6}));
  EXPECT_EQ(maskRows(verticalSlash(1, 1, 10), problem, 0, content),
            (Rows{"10000000", "11000000", "10100000"}));
}

// Non-causal, Lq = Lk = 6, last_q = 2: rows p = 4 (q = 1) and p = 5 (q = 0),
// keys k5 = 5, others 0. Row 4: P(4,5) = e^5 / (e^5 + 5) ~ .967 at d = -1,
// others ~ .0065; row 5 is uniform 1/6 at d = 0..5.
// C(5) ~ 1.13, C(0..4) ~ .173 (equal); S(-1) ~ .967, S(0..4) ~ .173 (equal),
// S(5) = 1/6, S(-5..-2) = 0.
TEST(VerticalSlash, NegativeOffsetsWithoutCausal) {
  const std::vector<float> keys = {0, 0, 0, 0, 0, 5};
  const std::vector<float> queries = {0, 0, 0, 0, 1, 0};
  AttentionProblem problem = makeProblem(6, 6, false, 1, 1.0);
  HeadContent content = {queries.data(), keys.data()};
  VerticalSlashSelection s = selectVerticalSlash(verticalSlash(2, 2, 2), problem, content);
  EXPECT_EQ(s.columns, (Indices{0, 5}));
  EXPECT_EQ(s.offsets, (Indices{-1, 0}));
  // Column 5, plus j = p + 1.
  EXPECT_EQ(maskRows(verticalSlash(1, 1, 2), problem, 0, content),
            (Rows{"010001", "001001", "000101", "000011", "000001", "000001"}));
}

TEST(VerticalSlash, BudgetLargerThanCandidates) {
  // Causal offsets are 0 <= d < 6 only; non-causal adds -5..-1.
  const std::vector<float> zeros(6, 0.0f);
  HeadContent content = {zeros.data(), zeros.data()};
  VerticalSlashSelection s =
      selectVerticalSlash(verticalSlash(100, 100, 2), makeProblem(6, 6, true, 1, 1.0), content);
  EXPECT_EQ(s.columns, (Indices{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(s.offsets, (Indices{0, 1, 2, 3, 4, 5}));
  s = selectVerticalSlash(verticalSlash(0, 100, 2), makeProblem(6, 6, false, 1, 1.0), content);
  EXPECT_TRUE(s.columns.empty());
  EXPECT_EQ(s.offsets, (Indices{-5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5}));
}

TEST(VerticalSlash, MoreQueriesThanKeys) {
  // Lq = 3, Lk = 2, p = -1, 0, 1, uniform rows (P = 1/2). Offsets: S(-1) = 1
  // (rows p = -1, 0), S(0) = 1, S(1) = 1/2; d = -2 is not a candidate.
  const std::vector<float> zeros(3, 0.0f);
  VerticalSlashSelection s = selectVerticalSlash(
      verticalSlash(1, 3, 3), makeProblem(3, 2, false, 1, 1.0), {zeros.data(), zeros.data()});
  EXPECT_EQ(s.columns, (Indices{0}));
  EXPECT_EQ(s.offsets, (Indices{-1, 0, 1}));
}

} // namespace
} // namespace spattn::ref::test
