//===- BucketInvarianceTest.cpp - Buckets never change the mask -----------===//
//
// docs/semantics.md: "Buckets never change results." The same spec compiled with two
// different bucket lists yields schedules (different variants, different
// folded constants, different strategies) whose expanded masks are identical
// at every tested L, and equal to the reference.
//
//===----------------------------------------------------------------------===//
#include "RandomSpecs.h"
#include "ScheduleTestUtil.h"

namespace spattn::test {
namespace {

/// The source with its bucket list replaced.
std::string withBuckets(std::string source, const std::string &buckets) {
  size_t start = source.find("buckets = array<i64: ");
  size_t end = source.find('>', start);
  return source.replace(start, end - start + 1,
                        "buckets = array<i64: " + buckets + ">");
}

void expectSameRows(const LoweredSpec &a, const LoweredSpec &b, int64_t lq,
                    int64_t lk, std::mt19937 &rng, const std::string &source) {
  ms::SpecEvaluator evaluator(a.spec);
  ref::AttentionProblem problem = evaluator.config().problem(lq, lk);
  std::vector<float> q = normalRows(lq, problem.headDim, rng());
  std::vector<float> k = normalRows(lk, problem.headDim, rng());
  ref::HeadContent content{q.data(), k.data()};
  ms::VariantOp va = a.variantFor(lk), vb = b.variantFor(lk);
  ASSERT_TRUE(va && vb);
  for (int64_t head = 0; head < problem.numQHeads; ++head) {
    ms::ScheduleEvaluator sa(va), sb(vb);
    ASSERT_TRUE(mlir::succeeded(sa.bind(problem, head, content)));
    ASSERT_TRUE(mlir::succeeded(sb.bind(problem, head, content)));
    std::vector<uint8_t> rowA, rowB;
    for (int64_t i : rowsToCheck(lq, rng)) {
      sa.expandRow(i, rowA);
      sb.expandRow(i, rowB);
      ASSERT_EQ(rowA, rowB) << "Lq " << lq << " Lk " << lk << " head " << head
                            << " row " << i << "\n"
                            << source;
    }
  }
}

TEST(BucketInvariance, TwoBucketListsSameMasks) {
  RandomSpecs random(424242);
  std::mt19937 rng(3);
  mlir::MLIRContext context;
  loadSpAttn(context);
  int compared = 0;
  for (int trial = 0; trial < 60; ++trial) {
    std::string source =
        random.spec({2048}, 4, 2, random.uniform(0, 1), random.powerOfTwo(4, 7),
                    random.powerOfTwo(4, 7));
    LoweredSpec one = lowerSpec(context, withBuckets(source, "2048"));
    LoweredSpec many = lowerSpec(context, withBuckets(source, "17, 100, 511, 1300, 2048"));
    ASSERT_EQ(one.variants.size(), 1u);
    ASSERT_EQ(many.variants.size(), 5u);
    for (int64_t lk : {1, 16, 17, 18, 99, 100, 101, 333, 511, 512, 1299, 1301, 2047, 2048})
      for (int64_t lq : {lk, int64_t{1}}) {
        expectSameRows(one, many, lq, lk, rng, source);
        if (HasFatalFailure())
          return;
        ++compared;
      }
  }
  EXPECT_EQ(compared, 60 * 14 * 2);
}

/// A budget that changes inside a bucket is still evaluated at the call's L:
/// window(L / 8) under one bucket [1, 4096] and under eight buckets.
TEST(BucketInvariance, BudgetsEvaluatedAtTheCallsLength) {
  mlir::MLIRContext context;
  loadSpAttn(context);
  std::string source = R"(
spattn.spec @w attributes {head_dim = 8 : i64, num_q_heads = 1 : i64,
    num_kv_heads = 1 : i64, dtype = f32, causal, buckets = array<i64: 4096>} {
^bb0(%L: index):
  %w = spattn.budget.fraction %L {fraction = 0.125}
  %p = spattn.window %w
  spattn.yield %p
})";
  LoweredSpec one = lowerSpec(context, source);
  LoweredSpec eight = lowerSpec(
      context, withBuckets(source, "512, 1024, 1536, 2048, 2560, 3072, 3584, 4096"));
  std::mt19937 rng(5);
  for (int64_t lk = 1; lk <= 4096; lk += 97) {
    expectSameRows(one, eight, 1, lk, rng, source);
    // And the window really is floor(L / 8) wide at this L.
    ms::ScheduleEvaluator schedule(one.variantFor(lk));
    ref::AttentionProblem problem;
    problem.queryLength = 1;
    problem.keyLength = lk;
    problem.headDim = 8;
    problem.causal = true;
    ASSERT_TRUE(mlir::succeeded(schedule.bind(problem, 0, {})));
    std::vector<uint8_t> row;
    schedule.expandRow(0, row);
    EXPECT_EQ(std::count(row.begin(), row.end(), 1), lk / 8) << "L = " << lk;
  }
}

} // namespace
} // namespace spattn::test
