//===- TopThresholdTest.cpp - Radix select against a sort -------------------===//
//
// topThreshold (runtime/TopThreshold.h) gives the k-th highest score and how
// many are higher; here both are checked against a descending sort of the
// same scores, for float and double, over lengths 1 to a few thousand and
// every kind of value a ranking meets: many ties, -0 beside +0, NaN (ranked
// as -inf), infinities, subnormals.
//
//===----------------------------------------------------------------------===//
#include "runtime/TopThreshold.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <random>
#include <vector>

namespace {

using spattn::host::rankable;
using spattn::host::TopScratch;
using spattn::host::topThreshold;

/// Random scores of one of several kinds: few distinct values (ties), wide
/// random values, or special values mixed into normal ones.
template <typename T> std::vector<T> randomScores(std::mt19937 &rng, int64_t n) {
  std::vector<T> scores(n);
  const int kind = std::uniform_int_distribution<int>(0, 2)(rng);
  std::uniform_int_distribution<int> small(-3, 3);
  std::normal_distribution<T> normal(0, 100);
  const T specials[] = {T(0),
                        -T(0),
                        std::numeric_limits<T>::quiet_NaN(),
                        -std::numeric_limits<T>::quiet_NaN(),
                        std::numeric_limits<T>::infinity(),
                        -std::numeric_limits<T>::infinity(),
                        std::numeric_limits<T>::denorm_min(),
                        -std::numeric_limits<T>::denorm_min(),
                        std::numeric_limits<T>::max(),
                        std::numeric_limits<T>::lowest()};
  std::uniform_int_distribution<int> pick(0, std::size(specials) - 1);
  for (T &s : scores) {
    if (kind == 0)
      s = T(small(rng)) * (small(rng) == 0 ? -T(0) : T(1));
    else if (kind == 1)
      s = normal(rng);
    else
      s = small(rng) > 1 ? specials[pick(rng)] : normal(rng);
  }
  return scores;
}

template <typename T> void checkAgainstSort(uint32_t seed) {
  std::mt19937 rng(seed);
  TopScratch<T> scratch;
  for (int trial = 0; trial < 400; ++trial) {
    const int64_t n = trial < 20 ? trial + 1
                                 : std::uniform_int_distribution<int64_t>(1, 5000)(rng);
    const std::vector<T> scores = randomScores<T>(rng, n);
    std::vector<T> sorted(n);
    std::transform(scores.begin(), scores.end(), sorted.begin(), rankable<T>);
    std::sort(sorted.begin(), sorted.end(), std::greater<T>());
    for (int64_t k : {int64_t{1}, n, std::uniform_int_distribution<int64_t>(1, n)(rng)}) {
      const auto [threshold, above] = topThreshold(scores.data(), n, k, scratch);
      const T expected = sorted[k - 1];
      const int64_t higher =
          std::count_if(sorted.begin(), sorted.end(), [&](T s) { return s > expected; });
      ASSERT_EQ(threshold, expected) << "n " << n << " k " << k << " trial " << trial;
      ASSERT_FALSE(std::isnan(threshold));
      ASSERT_EQ(above, higher) << "n " << n << " k " << k << " trial " << trial;
    }
  }
}

TEST(TopThreshold, FloatMatchesASort) { checkAgainstSort<float>(11); }

TEST(TopThreshold, DoubleMatchesASort) { checkAgainstSort<double>(12); }

TEST(TopThreshold, ZerosOfBothSignsAreOneValue) {
  // -0 and +0 compare equal: the 2nd highest of {-0, +0, -1} is a zero with
  // nothing above it, whichever sign it carries.
  const float scores[] = {-0.0f, 0.0f, -1.0f};
  TopScratch<float> scratch;
  const auto [threshold, above] = topThreshold(scores, 3, 2, scratch);
  EXPECT_EQ(threshold, 0.0f);
  EXPECT_EQ(above, 0);
}

TEST(TopThreshold, NaNRanksBelowEverything) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double scores[] = {nan, -std::numeric_limits<double>::infinity(), -1e300, nan};
  TopScratch<double> scratch;
  const auto [first, aboveFirst] = topThreshold(scores, 4, 1, scratch);
  EXPECT_EQ(first, -1e300);
  EXPECT_EQ(aboveFirst, 0);
  const auto [last, aboveLast] = topThreshold(scores, 4, 4, scratch);
  EXPECT_EQ(last, -std::numeric_limits<double>::infinity());
  EXPECT_EQ(aboveLast, 1);
}

} // namespace
