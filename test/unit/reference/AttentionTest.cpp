//===- AttentionTest.cpp - fp64 reference against a naive oracle ----------===//

#include "NaiveAttention.h"
#include "TestUtil.h"

#include "reference/Attention.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <stdexcept>

namespace spattn::ref::test {
namespace {

AttentionProblem shape(int64_t b, int64_t hq, int64_t hkv, int64_t lq, int64_t lk,
                       int64_t d, bool causal, double scale = 0.0) {
  AttentionProblem problem = makeProblem(lq, lk, causal, d, scale);
  problem.batch = b;
  problem.numQHeads = hq;
  problem.numKVHeads = hkv;
  return problem;
}

// Compares referenceAttention with the naive oracle on given inputs.
void expectMatchesNaive(const Pattern &pattern, const AttentionProblem &pr,
                        const std::vector<float> &q, const std::vector<float> &k,
                        const std::vector<float> &v, const KeepFn &keep) {
  ReferenceOutput ref = referenceAttention(pattern, pr, q.data(), k.data(), v.data());
  NaiveOutput naive = naiveAttention(pr, q, k, v, keep);
  ASSERT_EQ(ref.out.size(), naive.out.size());
  ASSERT_EQ(ref.lse.size(), naive.lse.size());
  long double maxError = 0;
  int64_t nonEmptyRows = 0;
  for (size_t r = 0; r < ref.lse.size(); ++r) {
    if (std::isinf(naive.lse[r])) {
      EXPECT_EQ(ref.lse[r], -INFINITY) << "row " << r;
      continue;
    }
    ++nonEmptyRows;
    maxError = std::max(maxError, std::abs(ref.lse[r] - naive.lse[r]));
  }
  for (size_t x = 0; x < ref.out.size(); ++x)
    maxError = std::max(maxError, std::abs(ref.out[x] - naive.out[x]));
  EXPECT_GT(nonEmptyRows, 0);
  EXPECT_LT(maxError, 1e-12L);
}

void expectMatchesNaive(const Pattern &pattern, const AttentionProblem &pr,
                        const KeepFn &keep, unsigned seed) {
  const int64_t qSize = pr.batch * pr.numQHeads * pr.queryLength * pr.headDim;
  const int64_t kvSize = pr.batch * pr.numKVHeads * pr.keyLength * pr.headDim;
  expectMatchesNaive(pattern, pr, randomTensor(qSize, seed),
                     randomTensor(kvSize, seed + 1), randomTensor(kvSize, seed + 2), keep);
}

TEST(ReferenceAttention, WindowPlusSinkCausal) {
  expectMatchesNaive(combine(PatternKind::Union, {window(3), sink(2)}),
                     shape(1, 1, 1, 7, 7, 4, true),
                     [](int64_t, int64_t, int64_t i, int64_t j) {
                       return j <= i && (i - j < 3 || j < 2);
                     },
                     1);
}

TEST(ReferenceAttention, BatchGqaPerHeadChunkedPrefill) {
  // p = 8 + i; heads 0-2 strided(4), head 3 dilated_window(3, 2).
  expectMatchesNaive(perHead({0, 3}, {strided(4), dilatedWindow(3, 2)}),
                     shape(2, 4, 2, 5, 13, 3, true),
                     [](int64_t, int64_t h, int64_t i, int64_t j) {
                       int64_t d = 8 + i - j;
                       if (d < 0)
                         return false;
                       return h < 3 ? d % 4 == 0 : (d < 6 && d % 2 == 0);
                     },
                     2);
}

TEST(ReferenceAttention, DecodeMqaSymmetricWindow) {
  expectMatchesNaive(symmetricWindow(4), shape(1, 2, 1, 1, 9, 8, false),
                     [](int64_t, int64_t, int64_t, int64_t j) { return std::abs(8 - j) < 4; },
                     3);
}

TEST(ReferenceAttention, IntersectBlockLayoutStridedExplicitScale) {
  // Odd length 11 in blocks of 3; query block 3 is partial, row 3 of the
  // layout keeps key blocks 0, 2, 3.
  Pattern layout = blockLayout(3, {"1000", "1100", "0110", "1011"});
  expectMatchesNaive(combine(PatternKind::Intersect, {layout, strided(2)}),
                     shape(2, 2, 2, 11, 11, 5, false, 0.3),
                     [](int64_t, int64_t, int64_t i, int64_t j) {
                       static const char *rows[] = {"1000", "1100", "0110", "1011"};
                       return rows[i / 3][j / 3] == '1' && std::abs(i - j) % 2 == 0;
                     },
                     4);
}

TEST(ReferenceAttention, DenseMqa) {
  expectMatchesNaive(sink(17), shape(1, 3, 1, 3, 17, 16, false),
                     [](int64_t, int64_t, int64_t, int64_t) { return true; }, 5);
}

TEST(ReferenceAttention, GlobalQueriesOrWindowOddChunk) {
  // p = 5 + i: rows at p < 7 see every earlier key.
  expectMatchesNaive(combine(PatternKind::Union, {globalQueries(7), window(2)}),
                     shape(2, 2, 1, 4, 9, 7, true),
                     [](int64_t, int64_t, int64_t i, int64_t j) {
                       int64_t p = 5 + i;
                       return j <= p && (p < 7 || p - j < 2);
                     },
                     6);
}

TEST(ReferenceAttention, EmptyRowsGiveZeroAndMinusInfinity) {
  // Rows 2, 3 sit in query block 1, outside the one-row layout.
  AttentionProblem pr = shape(1, 1, 1, 4, 4, 3, false);
  std::vector<float> q = randomTensor(12, 7), k = randomTensor(12, 8), v = randomTensor(12, 9);
  ReferenceOutput ref = referenceAttention(blockLayout(2, {"11"}), pr, q.data(), k.data(), v.data());
  for (int64_t i = 0; i < 4; ++i) {
    EXPECT_EQ(std::isinf(ref.lse[i]), i >= 2) << "row " << i;
    for (int64_t d = 0; d < 3; ++d) {
      EXPECT_FALSE(std::isnan(ref.out[i * 3 + d]));
      if (i >= 2) {
        EXPECT_EQ(ref.out[i * 3 + d], 0.0);
      }
    }
  }
  EXPECT_EQ(ref.lse[2], -INFINITY);
  EXPECT_EQ(ref.lse[3], -INFINITY);
  // Every row empty, with causal on top.
  pr.causal = true;
  ref = referenceAttention(sink(0), pr, q.data(), k.data(), v.data());
  for (double o : ref.out)
    EXPECT_EQ(o, 0.0);
  for (double l : ref.lse)
    EXPECT_EQ(l, -INFINITY);
}

TEST(ReferenceAttention, RejectsBadHeadCounts) {
  std::vector<float> x(64, 0.0f);
  EXPECT_THROW(referenceAttention(sink(1), shape(1, 3, 2, 1, 1, 1, false), x.data(),
                                  x.data(), x.data()),
               std::invalid_argument);
}

} // namespace
} // namespace spattn::ref::test
