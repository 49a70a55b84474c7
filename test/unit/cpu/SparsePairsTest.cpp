//===- SparsePairsTest.cpp - Pairs on their own, and the form chosen ------===//
//
// attendPairs folds a row's kept keys into an online-softmax state: after
// any sequence of spans (dense, sparse, empty, with a state already holding
// keys) the state's O = acc / l and LSE = m + log l equal fp64 softmax
// attention over every kept key. cheapestForm picks pairs for diagonals,
// a panel for columns every row keeps, and runs for dense spans.
//
//===----------------------------------------------------------------------===//
#include "targets/cpu/libsupport/SparsePairs.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace spattn::cpu {
namespace {

TEST(SparsePairs, SpansFoldIntoExactSoftmax) {
  std::mt19937 rng(7);
  std::normal_distribution<float> normal;
  for (int64_t dim : {1, 5, 16, 64, 128}) {
    const int64_t keys = 700, span = 96, stride = dim + 3; // strided rows
    std::vector<float> q(dim), k(keys * stride), v(keys * stride);
    for (float &x : q)
      x = 2 * normal(rng);
    for (int64_t j = 0; j < keys * stride; ++j) {
      k[j] = normal(rng);
      v[j] = normal(rng);
    }
    // Densities from empty to full, span by span.
    std::vector<uint8_t> keep(keys);
    std::bernoulli_distribution coin[] = {std::bernoulli_distribution(0.0),
                                          std::bernoulli_distribution(0.02),
                                          std::bernoulli_distribution(0.5),
                                          std::bernoulli_distribution(1.0)};
    for (int64_t j = 0; j < keys; ++j)
      keep[j] = coin[(j / span) % 4](rng);
    const float scale = 1.0f / std::sqrt(float(dim));

    float m = -std::numeric_limits<float>::infinity(), l = 0;
    std::vector<float> acc(dim, 0.0f), scores(span);
    for (int64_t key0 = 0; key0 < keys; key0 += span)
      attendPairs(q.data(), k.data() + key0 * stride, stride,
                  v.data() + key0 * stride, stride, keep.data() + key0,
                  std::min(span, keys - key0), dim, scale, m, l, acc.data(),
                  scores.data());

    double maxScore = -INFINITY;
    std::vector<double> s(keys);
    for (int64_t j = 0; j < keys; ++j) {
      s[j] = 0;
      for (int64_t d = 0; d < dim; ++d)
        s[j] += double(q[d]) * k[j * stride + d];
      s[j] *= scale;
      if (keep[j])
        maxScore = std::max(maxScore, s[j]);
    }
    double sum = 0;
    std::vector<double> out(dim, 0.0);
    for (int64_t j = 0; j < keys; ++j)
      if (keep[j]) {
        double p = std::exp(s[j] - maxScore);
        sum += p;
        for (int64_t d = 0; d < dim; ++d)
          out[d] += p * v[j * stride + d];
      }
    for (int64_t d = 0; d < dim; ++d)
      EXPECT_NEAR(acc[d] / l, out[d] / sum, 1e-5) << "dim " << dim << " d " << d;
    EXPECT_NEAR(m + std::log(l), maxScore + std::log(sum), 1e-5) << "dim " << dim;
  }
}

TEST(SparsePairs, NothingKeptLeavesTheStateAlone) {
  std::vector<float> q(8, 1.0f), k(8 * 4, 1.0f), acc(8, 0.5f), scores(4);
  std::vector<uint8_t> keep(4, 0);
  float m = 1.5f, l = 2.0f;
  attendPairs(q.data(), k.data(), 8, k.data(), 8, keep.data(), 4, 8, 1.0f, m,
              l, acc.data(), scores.data());
  EXPECT_EQ(m, 1.5f);
  EXPECT_EQ(l, 2.0f);
  EXPECT_EQ(acc[3], 0.5f);
}

TEST(SparsePairs, FormsFollowTheMaskCounts) {
  // 64 rows, a 512-key span. One diagonal per 64 keys (strided): every tile
  // has a kept pair and every column is kept by some row, one pair each.
  EXPECT_EQ(cheapestForm({64, 512, 512, 512}), SpanForm::Pairs);
  // 20 columns every row keeps (vertical columns) spread over all tiles.
  EXPECT_EQ(cheapestForm({64, 512, 20, 64 * 20}), SpanForm::Panel);
  // A dense band: half the pairs.
  EXPECT_EQ(cheapestForm({64, 512, 512, 64 * 256}), SpanForm::Runs);
  // Decode: 8 kernel rows, one present, 16 keys of a 512-key span kept.
  EXPECT_NE(cheapestForm({8, 64, 16, 16}), SpanForm::Runs);
}

} // namespace
} // namespace spattn::cpu
