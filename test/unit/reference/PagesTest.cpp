//===- PagesTest.cpp - pages (Quest) selection on hand-built inputs -------===//
//
// D = 2, pages of 2 keys. Per-page bounds (min / max per dimension):
//   page 0: keys (1,-1), (-1,1)   min (-1,-1)  max (1,1)
//   page 1: keys (2,0), (3,0)     min (2,0)    max (3,0)
//   page 2: keys (0,4), (0,-4)    min (0,-4)   max (0,4)
//   page 3: keys (.9,.9) twice    min = max = (.9,.9)
// Upper bound of q: sum_d max(q_d min_d, q_d max_d).
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include <gtest/gtest.h>

namespace spattn::ref::test {
namespace {

using Indices = std::vector<int64_t>;
using PerRow = std::vector<std::vector<int64_t>>;

const std::vector<float> kKeys = {1, -1, -1, 1, 2, 0, 3, 0, 0, 4, 0, -4, .9f, .9f, .9f, .9f};

PerRow decode(std::vector<float> q, int64_t k, bool causal = true) {
  return selectPages(pages(k, 2), makeProblem(1, 8, causal, 2),
                     {q.data(), kKeys.data()});
}

TEST(Pages, UpperBoundRanking) {
  // q = (1,1): bounds 2, 3, 4, 1.8. Page 0's true best dot product is 0,
  // below page 3's 1.8: only the bound ranks page 0 third.
  EXPECT_EQ(decode({1, 1}, 1), (PerRow{{2}}));
  EXPECT_EQ(decode({1, 1}, 2), (PerRow{{1, 2}}));
  EXPECT_EQ(decode({1, 1}, 3), (PerRow{{0, 1, 2}}));
  // q = (-1,.5): bounds 1.5, -2, 2, -.45.
  EXPECT_EQ(decode({-1, .5f}, 2), (PerRow{{0, 2}}));
}

TEST(Pages, TiesAndBudgets) {
  EXPECT_EQ(decode({0, 0}, 2), (PerRow{{0, 1}})); // every bound is 0
  EXPECT_EQ(decode({1, 1}, 10), (PerRow{{0, 1, 2, 3}}));
  EXPECT_EQ(decode({1, 1}, 0), (PerRow{{}}));
}

TEST(Pages, CausalCandidatesPerRow) {
  // Every q = (1,1); row i sees pages starting at or before i.
  const std::vector<float> queries(16, 1.0f);
  AttentionProblem problem = makeProblem(8, 8, true, 2);
  HeadContent content = {queries.data(), kKeys.data()};
  EXPECT_EQ(selectPages(pages(2, 2), problem, content),
            (PerRow{{0}, {0}, {0, 1}, {0, 1}, {1, 2}, {1, 2}, {1, 2}, {1, 2}}));
  EXPECT_EQ(maskRows(pages(2, 2), problem, 0, content),
            (Rows{"10000000", "11000000", "11100000", "11110000", "00111000",
                  "00111100", "00111100", "00111100"}));
}

TEST(Pages, PartialLastPageReadsOnlyPresentKeys) {
  // Lk = 7: page 3 holds key 6 only; key 7 (100,100) lies in memory but is
  // not part of the call.
  std::vector<float> keys = kKeys;
  keys[14] = keys[15] = 100;
  const std::vector<float> q = {1, 1};
  for (bool causal : {true, false})
    EXPECT_EQ(selectPages(pages(1, 2), makeProblem(1, 7, causal, 2), {q.data(), keys.data()}),
              (PerRow{{2}}));
  EXPECT_EQ(maskRows(pages(1, 2), makeProblem(1, 7, false, 2), 0, {q.data(), keys.data()}),
            (Rows{"0000110"}));
}

} // namespace
} // namespace spattn::ref::test
