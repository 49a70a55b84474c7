//===- ExamplesTest.cpp - Every example's library against the reference ---===//
//
// For each spec in examples/specs, the query-tile specs of specs/
// (rows_8, rows_16, rows_128: the kernel forms and Q layouts of
// targets/cpu/halide/KernelContract.h) and its strided unions (residue_*):
// lengths at both ends of every bucket and
// an odd one inside (L = 1 included), prefill (Lq = Lk, batch 2) where the
// fp64 check is affordable, decode (Lq = 1 and 2: GQA heads packed into one
// block, split-K over long Lk) and a chunk of 67 queries
// everywhere; GQA as the specs have it (32 query heads over 8 kv heads).
// Max abs error of O and LSE must stay <= 1e-4 (fp32 kernels, fp64
// reference).
//
//===----------------------------------------------------------------------===//
#include "ReferenceCheck.h"

#include <gtest/gtest.h>

namespace spattn::test {
namespace {

constexpr double kTolerance = 1e-4;
/// Longest Lk at which the test runs a whole prefill.
constexpr int64_t kPrefillUpTo = 2048;

/// The library of spec `name` in `dir` against the reference in every bucket.
void checkEveryBucket(const std::string &dir, const std::string &name) {
  auto lib = loadLibrary(name, dir + "/" + name + ".mlir");
  ASSERT_TRUE(lib);
  mlir::spattn::SpecConfig config = mlir::spattn::SpecConfig::fromOp(lib->spec);
  EXPECT_EQ(lib->maxLength(), config.buckets.back());
  int64_t lo = 1;
  uint32_t seed = 1;
  for (int64_t hi : config.buckets) {
    for (int64_t lk : {lo, (lo + hi) / 2 | 1, hi}) {
      std::vector<CallShape> calls = {{1, 1, lk},
                                      {1, std::min<int64_t>(2, lk), lk},
                                      {1, std::min<int64_t>(67, lk), lk}};
      if (lk <= kPrefillUpTo)
        calls.push_back({2, lk, lk});
      for (const CallShape &shape : calls) {
        CallResult result = runLibrary(*lib, shape, seed);
        ASSERT_EQ(result.status, SPATTN_OK) << lib->lastError();
        ErrorBound error = compareWithReference(*lib, shape, result, seed++);
        EXPECT_LE(error.out, kTolerance)
            << name << " B " << shape.batch << " Lq " << shape.queryLength
            << " Lk " << lk;
        EXPECT_LE(error.lse, kTolerance)
            << name << " B " << shape.batch << " Lq " << shape.queryLength
            << " Lk " << lk;
      }
    }
    lo = hi + 1;
  }
}

class ExampleLibrary : public ::testing::TestWithParam<const char *> {};

TEST_P(ExampleLibrary, MatchesReferenceInEveryBucket) {
  checkEveryBucket(SPATTN_EXAMPLES_DIR, GetParam());
}

INSTANTIATE_TEST_SUITE_P(Examples, ExampleLibrary,
                         ::testing::Values("streaming_llm", "longformer",
                                           "bigbird", "sparse_transformer",
                                           "block_topk", "minference",
                                           "flexprefill", "quest",
                                           "proportional_window",
                                           "longnet_dilated"));

class QueryTileLibrary : public ::testing::TestWithParam<const char *> {};

TEST_P(QueryTileLibrary, MatchesReferenceInEveryBucket) {
  checkEveryBucket(SPATTN_E2E_SPECS_DIR, GetParam());
}

// Named Examples* so that the cpu-e2e-sse41 / -avx2 runs include it.
INSTANTIATE_TEST_SUITE_P(ExamplesQueryTiles, QueryTileLibrary,
                         ::testing::Values("rows_8", "rows_16", "rows_128"));

// Strided classes attended apart (targets/cpu/libsupport/ResidueClasses.h).
INSTANTIATE_TEST_SUITE_P(ExamplesResidueClasses, QueryTileLibrary,
                         ::testing::Values("residue_causal", "residue_bidirectional",
                                           "residue_predicate_causal"));

} // namespace
} // namespace spattn::test
