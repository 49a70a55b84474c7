//===- GqaSelectionTest.cpp - content-based selection reads the kv head ---===//
//
// B = 2, Hq = 4, Hkv = 2: query heads 0, 1 read kv head 0, heads 2, 3 kv
// head 1. Every query is (1,0); each (batch, kv head) puts its (1,0) keys in
// exactly one key block, so topk_blocks(1) names the kv head that was read.
// A wrong mapping (h % Hkv, or ignoring the batch) picks the other block.
//
//===----------------------------------------------------------------------===//

#include "NaiveAttention.h"
#include "TestUtil.h"

#include "reference/Attention.h"

#include <gtest/gtest.h>


namespace spattn::ref::test {
namespace {

// The key block holding the (1,0) keys of (batch b, kv head g).
int64_t hotBlock(int64_t b, int64_t g) { return b ^ g; }

struct GqaFixture {
  AttentionProblem problem;
  std::vector<float> q, k, v;

  GqaFixture() {
    problem = makeProblem(4, 4, false, 2, 1.0);
    problem.batch = 2;
    problem.numQHeads = 4;
    problem.numKVHeads = 2;
    for (int64_t n = 0; n < 2 * 4 * 4; ++n)
      q.insert(q.end(), {1.0f, 0.0f});
    for (int64_t b = 0; b < 2; ++b)
      for (int64_t g = 0; g < 2; ++g)
        for (int64_t j = 0; j < 4; ++j)
          k.insert(k.end(), {j / 2 == hotBlock(b, g) ? 1.0f : 0.0f, 0.0f});
    v = randomTensor(2 * 2 * 4 * 2, 11);
  }
};

TEST(GqaSelection, TopkReadsTheMappedKvHead) {
  GqaFixture f;
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t h = 0; h < 4; ++h) {
      int64_t expected = hotBlock(b, h / 2);
      HeadContent content = headContent(f.problem, f.q.data(), f.k.data(), b, h);
      EXPECT_EQ(selectTopkBlocks(topkBlocks(1, 2), f.problem, content),
                (std::vector<std::vector<int64_t>>{{expected}, {expected}}))
          << "batch " << b << " head " << h;
    }
}

TEST(GqaSelection, ReferenceAttentionUsesTheSameSelection) {
  GqaFixture f;
  ReferenceOutput ref =
      referenceAttention(topkBlocks(1, 2), f.problem, f.q.data(), f.k.data(), f.v.data());
  NaiveOutput naive = naiveAttention(f.problem, f.q, f.k, f.v,
                                     [](int64_t b, int64_t h, int64_t, int64_t j) {
                                       return j / 2 == hotBlock(b, h / 2);
                                     });
  ASSERT_EQ(ref.out.size(), naive.out.size());
  for (size_t x = 0; x < ref.out.size(); ++x)
    EXPECT_NEAR(ref.out[x], static_cast<double>(naive.out[x]), 1e-12) << x;
  for (size_t r = 0; r < ref.lse.size(); ++r)
    EXPECT_NEAR(ref.lse[r], static_cast<double>(naive.lse[r]), 1e-12) << r;
}

} // namespace
} // namespace spattn::ref::test
