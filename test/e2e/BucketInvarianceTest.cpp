//===- BucketInvarianceTest.cpp - Two bucket lists, same outputs ----------===//
//
// invariance_one.mlir and invariance_many.mlir are one pattern (sinks, a
// window of 4 sqrt(L), top-k blocks) compiled with one bucket and with four:
// different variants, kernels and spans, the same outputs at every tested L,
// on both sides of every bucket bound, and both equal to the reference.
//
//===----------------------------------------------------------------------===//
#include "ReferenceCheck.h"

#include <gtest/gtest.h>

#include <cmath>

namespace spattn::test {
namespace {

TEST(BucketInvariance, OneBucketAndFourGiveTheSameOutputs) {
  std::string dir = SPATTN_E2E_SPECS_DIR;
  auto one = loadLibrary("invariance_one", dir + "/invariance_one.mlir");
  auto many = loadLibrary("invariance_many", dir + "/invariance_many.mlir");
  ASSERT_TRUE(one && many);
  uint32_t seed = 100;
  for (int64_t lk : {1, 2, 63, 64, 65, 100, 101, 256, 257, 258, 777, 1024, 1025,
                     2999, 3000})
    for (int64_t lq : {lk, int64_t{1}, (lk + 1) / 2}) {
      CallShape shape{lk <= 1024 ? 2 : 1, lq, lk};
      CallResult a = runLibrary(*one, shape, seed), b = runLibrary(*many, shape, seed);
      ASSERT_EQ(a.status, SPATTN_OK) << one->lastError();
      ASSERT_EQ(b.status, SPATTN_OK) << many->lastError();
      double diff = 0;
      for (size_t e = 0; e < a.o.data.size(); ++e)
        diff = std::max(diff, double(std::fabs(a.o.data[e] - b.o.data[e])));
      for (size_t e = 0; e < a.lse.data.size(); ++e)
        if (a.lse.data[e] != b.lse.data[e])
          diff = std::max(diff, double(std::fabs(a.lse.data[e] - b.lse.data[e])));
      EXPECT_LE(diff, 1e-5) << "Lq " << lq << " Lk " << lk;
      ErrorBound error = compareWithReference(*many, shape, b, seed++);
      EXPECT_LE(error.out, 1e-4) << "Lq " << lq << " Lk " << lk;
      EXPECT_LE(error.lse, 1e-4) << "Lq " << lq << " Lk " << lk;
    }
}

} // namespace
} // namespace spattn::test
