//===- ScheduleEquivalenceTest.cpp - Expanded schedule == reference mask --===//
//
// The property behind every backend: for random specs (every primitive,
// unions, intersections, per_head; budgets constant or growing with L;
// tiles that differ from the pattern blocks), expanding the lowered block
// schedule gives exactly the reference mask, at L from 1 to 70000 (odd
// lengths, non-multiples of every block size), for prefill, decode and
// chunked prefill (Lq <= Lk), every query head. Content-based selections run
// on the same random Q/K in both, so they compare "given the same selected
// indices".
//
//===----------------------------------------------------------------------===//
#include "RandomSpecs.h"
#include "ScheduleTestUtil.h"

#include <sstream>

namespace spattn::test {
namespace {

using core::TileKind;

/// Compares one call's expansion with the reference, row by row.
void expectSameMask(const LoweredSpec &lowered, int64_t lq, int64_t lk,
                    std::mt19937 &rng, const std::string &source) {
  ms::SpecEvaluator evaluator(lowered.spec);
  mlir::FailureOr<ref::Pattern> pattern = evaluator.evaluatePattern(lk);
  ASSERT_TRUE(mlir::succeeded(pattern)) << source;
  ref::AttentionProblem problem = evaluator.config().problem(lq, lk);
  std::vector<float> q = normalRows(lq, problem.headDim, rng());
  std::vector<float> k = normalRows(lk, problem.headDim, rng());
  ref::HeadContent content{q.data(), k.data()};
  ms::VariantOp variant = lowered.variantFor(lk);
  ASSERT_TRUE(variant) << "no variant serves L = " << lk;
  std::vector<int64_t> rows = rowsToCheck(lq, rng);
  for (int64_t head = 0; head < problem.numQHeads; ++head) {
    ref::MaskEvaluator reference(*pattern, problem, head, content);
    ms::ScheduleEvaluator schedule(variant);
    ASSERT_TRUE(mlir::succeeded(schedule.bind(problem, head, content)));
    std::vector<uint8_t> want, got;
    for (int64_t i : rows) {
      reference.row(i, want);
      schedule.expandRow(i, got);
      if (want != got) {
        int64_t j = std::mismatch(want.begin(), want.end(), got.begin()).first -
                    want.begin();
        FAIL() << "Lq " << lq << " Lk " << lk << " head " << head << " row "
               << i << ": first difference at key " << j << " (reference "
               << int(want[j]) << ", schedule " << int(got[j]) << ")\n"
               << source;
      }
    }
    ms::ScheduleStats stats = schedule.stats();
    EXPECT_LE(stats.partialTiles, stats.keptTiles);
    EXPECT_LE(stats.keptFlops, stats.denseFlops * (1 + 1e-9) + 1);
  }
}

/// Lengths to test in [lo, hi]: both ends, one odd and one random inside.
std::vector<int64_t> lengthsIn(RandomSpecs &random, int64_t lo, int64_t hi) {
  std::vector<int64_t> lengths = {lo, hi, random.uniform(lo, hi) | 1};
  if (lengths.back() > hi)
    lengths.back() = hi;
  return lengths;
}

void runTrials(uint32_t seed, int trials, int64_t longest, int64_t *calls,
               bool predicates = false) {
  RandomSpecs random(seed);
  random.usePredicates(predicates);
  std::mt19937 rng(seed);
  mlir::MLIRContext context;
  loadSpAttn(context);
  const int64_t headCounts[][2] = {{1, 1}, {2, 1}, {4, 2}, {8, 2}};
  for (int trial = 0; trial < trials; ++trial) {
    const int64_t *heads = headCounts[trial % 4];
    std::string source = random.spec(
        random.buckets(random.uniform(1, longest)), heads[0], heads[1],
        random.uniform(0, 1), random.powerOfTwo(3, 7), random.powerOfTwo(3, 7));
    LoweredSpec lowered = lowerSpec(context, source);
    ASSERT_FALSE(lowered.variants.empty()) << source;
    for (ms::VariantOp variant : lowered.variants)
      for (int64_t lk : lengthsIn(random, variant.getLo(), variant.getHi())) {
        // Prefill, decode, chunked prefill.
        for (int64_t lq : {lk, int64_t{1}, random.uniform(1, lk)}) {
          expectSameMask(lowered, lq, lk, rng, source);
          if (::testing::Test::HasFatalFailure())
            return;
          ++*calls;
        }
      }
  }
}

TEST(ScheduleEquivalence, ShortLengthsEveryPrimitive) {
  int64_t calls = 0;
  runTrials(20261124, 300, 700, &calls);
  EXPECT_GT(calls, 2000);
}

// spattn.predicate: random predicates (affine comparisons lowered to affine
// leaves, the rest to blocks.predicate) inside random trees.
TEST(ScheduleEquivalence, RandomPredicates) {
  int64_t calls = 0;
  runTrials(20261130, 120, 500, &calls, /*predicates=*/true);
  EXPECT_GT(calls, 700);
}

// Every sign of the coefficients of p(i) and j in a comparison
// a*P + b*J - w (op) d, P one of p, p floordiv m, p ceildiv m and J one of
// j, j floordiv m', j ceildiv m' (affine and semi-affine), for the six
// signed comparisons: the lowering must take the closed-form path (no
// blocks.predicate) and match the reference.
TEST(ScheduleEquivalence, AffinePredicatesInClosedForm) {
  mlir::MLIRContext context;
  loadSpAttn(context);
  std::mt19937 rng(3);
  RandomSpecs random(3);
  const char *compares[] = {"slt", "sle", "sgt", "sge", "eq", "ne"};
  int64_t calls = 0;
  const char *atoms[] = {"", "arith.floordivsi", "arith.ceildivsi"};
  for (const char *positionAtom : atoms)
  for (const char *keyAtom : atoms)
  for (int64_t a = -2; a <= 2; ++a)
    for (int64_t b = -3; b <= 3; ++b)
      for (const char *compare : compares) {
        auto atom = [&](const char *op, const char *dim, const char *name) {
          if (!*op)
            return std::string("    %") + name + " = arith.addi " + dim + ", %zero : index\n";
          return std::string("    %") + name + "m = arith.constant " +
                 std::to_string(random.uniform(1, 100)) + " : index\n    %" + name +
                 " = " + op + " " + dim + ", %" + name + "m : index\n";
        };
        int64_t blockQ = random.powerOfTwo(3, 6), blockK = random.powerOfTwo(3, 6);
        bool causal = random.uniform(0, 1);
        std::ostringstream text;
        text << "spattn.spec @s attributes {head_dim = 8 : i64, num_q_heads = 1 : i64, "
                "num_kv_heads = 1 : i64, dtype = f32"
             << (causal ? ", causal" : "") << ", block_q = " << blockQ
             << " : i64, block_k = " << blockK
             << " : i64, buckets = array<i64: 100, 333>} {\n^bb0(%L: index):\n"
             << "  %w = spattn.budget.fraction %L {fraction = 0.25}\n"
             << "  %p = spattn.predicate (%w) {\n"
             << "  ^bb0(%h: index, %pos: index, %j: index, %len: index, %win: index):\n"
             << "    %zero = arith.constant 0 : index\n"
             << atom(positionAtom, "%pos", "P") << atom(keyAtom, "%j", "J")
             << "    %a = arith.constant " << a << " : index\n"
             << "    %b = arith.constant " << b << " : index\n"
             << "    %d = arith.constant " << random.uniform(-40, 40) << " : index\n"
             << "    %ap = arith.muli %P, %a : index\n"
             << "    %bj = arith.muli %b, %J : index\n"
             << "    %s = arith.addi %ap, %bj : index\n"
             << "    %lhs = arith.subi %s, %win : index\n"
             << "    %keep = arith.cmpi " << compare << ", %lhs, %d : index\n"
             << "    spattn.predicate.yield %keep\n  }\n  spattn.yield %p\n}\n";
        std::string source = text.str();
        LoweredSpec lowered = lowerSpec(context, source);
        ASSERT_FALSE(lowered.variants.empty()) << source;
        for (ms::VariantOp variant : lowered.variants) {
          bool closedForm = true;
          variant.walk([&](ms::BlocksPredicateOp) { closedForm = false; });
          EXPECT_TRUE(closedForm) << source;
          for (int64_t lk : lengthsIn(random, variant.getLo(), variant.getHi()))
            for (int64_t lq : {lk, int64_t{1}, random.uniform(1, lk)}) {
              expectSameMask(lowered, lq, lk, rng, source);
              if (::testing::Test::HasFatalFailure())
                return;
              ++calls;
            }
        }
      }
  EXPECT_GT(calls, 9000);
}

TEST(ScheduleEquivalence, LongLengthsUpTo70000) {
  int64_t calls = 0;
  runTrials(7, 12, 70000, &calls);
  EXPECT_GT(calls, 80);
}

} // namespace
} // namespace spattn::test
