//===- SpecEvaluatorTest.cpp - budgets and patterns evaluated at L ------===//
#include "dialects/SpAttn/Eval/SpecEvaluator.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace mlir;
using namespace mlir::spattn;
using ref::PatternKind;

namespace {

/// Parses one spec; diagnostics are collected instead of printed.
class EvaluatorTest : public ::testing::Test {
protected:
  EvaluatorTest() {
    context.loadDialect<SpAttnDialect, arith::ArithDialect,
                        math::MathDialect>();
    context.getDiagEngine().registerHandler([this](Diagnostic &diag) {
      diagnostics.push_back(diag.str());
    });
  }

  SpecOp parse(const std::string &body, const std::string &attrs = "",
               const std::string &arguments = "%L: index") {
    std::string text = "spattn.spec @s attributes {head_dim = 64 : i64, "
                       "num_q_heads = 4 : i64, num_kv_heads = 2 : i64, "
                       "dtype = f32, causal, buckets = array<i64: 1024>" +
                       attrs + "} {\n^bb0(" + arguments + "):\n" + body + "\n}\n";
    module = parseSourceString<ModuleOp>(text, &context);
    EXPECT_TRUE(module) << text;
    return module ? *module->getOps<SpecOp>().begin() : SpecOp();
  }

  MLIRContext context;
  OwningOpRef<ModuleOp> module;
  std::vector<std::string> diagnostics;
};

TEST_F(EvaluatorTest, PowerLawBudgetIsFloorOfCoeffTimesPower) {
  SpecOp spec = parse(R"(
    %w = spattn.budget.power %L {coeff = 2.0 : f64, exponent = 0.5 : f64}
    %p = spattn.window %w
    spattn.yield %p)");
  SpecEvaluator evaluator(spec);
  ASSERT_EQ(evaluator.budgets().size(), 1u);
  EXPECT_EQ(evaluator.budgets()[0].label, "window.size");
  for (int64_t length : {1, 2, 3, 17, 100, 1000, 4096, 65537}) {
    auto values = evaluator.evaluateBudgets(length);
    ASSERT_TRUE(succeeded(values));
    EXPECT_EQ((*values)[0],
              static_cast<int64_t>(std::floor(2.0 * std::sqrt(double(length)))))
        << "L = " << length;
  }
}

TEST_F(EvaluatorTest, HelpersComposeWithArithAndMath) {
  // clamp(align(fraction(L) , 64), 64, 512) + 3, and sqrt via math.
  SpecOp spec = parse(R"(
    %f = spattn.budget.fraction %L {fraction = 0.125 : f64}
    %a = spattn.budget.align %f {multiple = 64 : i64}
    %c = spattn.budget.clamp %a {min = 64 : i64, max = 512 : i64}
    %c3 = arith.constant 3 : index
    %k = arith.addi %c, %c3 : index
    %i = arith.index_cast %L : index to i64
    %x = arith.sitofp %i : i64 to f64
    %r = math.sqrt %x : f64
    %ri = arith.fptosi %r : f64 to i64
    %s = arith.index_cast %ri : i64 to index
    %p0 = spattn.sink %k
    %p1 = spattn.strided %s
    %p = spattn.union %p0, %p1
    spattn.yield %p)");
  SpecEvaluator evaluator(spec);
  ASSERT_EQ(evaluator.budgets().size(), 2u);
  struct Case { int64_t length, sink, stride; };
  // fraction: floor(L/8); align up to 64; clamp to [64, 512]; +3.
  for (Case c : {Case{1, 67, 1}, Case{100, 67, 10}, Case{513, 67, 22}, Case{520, 131, 22},
                 Case{1000, 131, 31}, Case{5000, 515, 70}}) {
    auto values = evaluator.evaluateBudgets(c.length);
    ASSERT_TRUE(succeeded(values));
    EXPECT_EQ((*values)[0], c.sink) << "L = " << c.length;
    EXPECT_EQ((*values)[1], c.stride) << "L = " << c.length;
  }
}

TEST_F(EvaluatorTest, PatternTreeCarriesEvaluatedParameters) {
  SpecOp spec = parse(R"(
    %c4 = arith.constant 4 : index
    %w = spattn.budget.fraction %L {fraction = 0.5 : f64}
    %s = spattn.sink %c4
    %l = spattn.window %w symmetric
    %t = spattn.topk_blocks %c4 block 32
    %u = spattn.union %s, %l
    %p = spattn.per_head %u, %t heads [0, 2]
    spattn.yield %p)");
  SpecEvaluator evaluator(spec);
  auto pattern = evaluator.evaluatePattern(99);
  ASSERT_TRUE(succeeded(pattern));
  EXPECT_EQ(pattern->kind, PatternKind::PerHead);
  EXPECT_EQ(pattern->headStarts, (std::vector<int64_t>{0, 2}));
  ASSERT_EQ(pattern->children.size(), 2u);
  const ref::Pattern &u = pattern->children[0];
  EXPECT_EQ(u.kind, PatternKind::Union);
  ASSERT_EQ(u.children.size(), 2u);
  EXPECT_EQ(u.children[0].kind, PatternKind::Sink);
  EXPECT_EQ(u.children[0].count, 4);
  EXPECT_EQ(u.children[1].kind, PatternKind::SymmetricWindow);
  EXPECT_EQ(u.children[1].size, 49);
  EXPECT_EQ(pattern->children[1].kind, PatternKind::TopkBlocks);
  EXPECT_EQ(pattern->children[1].block, 32);
  EXPECT_TRUE(pattern->needsContent());
}

TEST_F(EvaluatorTest, DuplicateLabelsAreNumbered) {
  SpecOp spec = parse(R"(
    %c4 = arith.constant 4 : index
    %a = spattn.window %c4
    %b = spattn.window %L
    %p = spattn.intersect %a, %b
    spattn.yield %p)");
  SpecEvaluator evaluator(spec);
  ASSERT_EQ(evaluator.budgets().size(), 2u);
  EXPECT_EQ(evaluator.budgets()[0].label, "window.size");
  EXPECT_EQ(evaluator.budgets()[1].label, "window.size#2");
}

TEST_F(EvaluatorTest, NegativeBudgetFailsWithLocatedDiagnostic) {
  SpecOp spec = parse(R"(
    %c100 = arith.constant 100 : index
    %w = arith.subi %L, %c100 : index
    %p = spattn.window %w
    spattn.yield %p)");
  SpecEvaluator evaluator(spec);
  EXPECT_TRUE(succeeded(evaluator.evaluateBudgets(100)));
  EXPECT_TRUE(failed(evaluator.evaluateBudgets(99)));
  ASSERT_FALSE(diagnostics.empty());
  EXPECT_NE(diagnostics.back().find("evaluates to -1 at L = 99"),
            std::string::npos)
      << diagnostics.back();
}

TEST_F(EvaluatorTest, ZeroStrideFails) {
  SpecOp spec = parse(R"(
    %c8 = arith.constant 8 : index
    %t = arith.divui %L, %c8 : index
    %p = spattn.strided %t
    spattn.yield %p)");
  SpecEvaluator evaluator(spec);
  EXPECT_TRUE(failed(evaluator.evaluatePattern(7)));
  auto pattern = evaluator.evaluatePattern(64);
  ASSERT_TRUE(succeeded(pattern));
  EXPECT_EQ(pattern->stride, 8);
}

TEST_F(EvaluatorTest, ConfigReadsSpecAttributes) {
  SpecOp spec = parse("%p = spattn.sink %L\n spattn.yield %p",
                      ", scale = 0.5 : f64, block_q = 128 : i64");
  SpecConfig config = SpecEvaluator(spec).config();
  EXPECT_EQ(config.headDim, 64);
  EXPECT_EQ(config.numQHeads, 4);
  EXPECT_EQ(config.numKVHeads, 2);
  EXPECT_EQ(config.dtype, "f32");
  EXPECT_TRUE(config.causal);
  EXPECT_EQ(config.scale, 0.5);
  EXPECT_EQ(config.blockQ, 128);
  EXPECT_EQ(config.blockK, 64);
  ref::AttentionProblem problem = config.problem(3, 10);
  EXPECT_EQ(problem.queryPosition(0), 7);
  EXPECT_EQ(problem.kvHeadOf(3), 1);
  EXPECT_DOUBLE_EQ(problem.effectiveScale(), 0.5);
}

// Request parameters: budgets read them like %L; every combination in the
// library's order (core/RequestSpace.h); values outside the declared range,
// or the wrong number of them, fail with a diagnostic.
constexpr const char *kRequestAttr =
    ", request = [{name = \"quality\", min = 1, max = 3}, "
    "{name = \"task\", min = -1, max = 0}]";
constexpr const char *kRequestArguments = "%L: index, %quality: index, %task: index";
constexpr const char *kRequestBody = R"(
    %c2 = arith.constant 2 : index
    %p = spattn.budget.power %L {coeff = 1.0 : f64, exponent = 0.5 : f64}
    %w = arith.muli %p, %quality : index
    %t = arith.addi %task, %c2 : index
    %s = spattn.sink %t
    %l = spattn.window %w
    %u = spattn.union %s, %l
    spattn.yield %u)";

TEST_F(EvaluatorTest, RequestParametersEvaluateLikeTheLength) {
  SpecOp spec = parse(kRequestBody, kRequestAttr, kRequestArguments);
  SpecEvaluator evaluator(spec);
  const SpecConfig &config = evaluator.config();
  ASSERT_EQ(config.requestNames, (std::vector<std::string>{"quality", "task"}));
  for (int64_t length : {1, 7, 100, 1024})
    for (int64_t quality = 1; quality <= 3; ++quality)
      for (int64_t task = -1; task <= 0; ++task) {
        auto values = evaluator.evaluateBudgets(length, {quality, task});
        ASSERT_TRUE(succeeded(values));
        int64_t root = static_cast<int64_t>(std::floor(std::sqrt(double(length))));
        EXPECT_EQ(*values, (std::vector<int64_t>{task + 2, root * quality}));
        auto pattern = evaluator.evaluatePattern(length, {quality, task});
        ASSERT_TRUE(succeeded(pattern));
        ASSERT_EQ(pattern->children.size(), 2u);
        EXPECT_EQ(pattern->children[0].count, task + 2);
        EXPECT_EQ(pattern->children[1].size, root * quality);
      }
  EXPECT_TRUE(diagnostics.empty());
}

TEST_F(EvaluatorTest, RequestCombinationsFollowTheLibraryOrder) {
  SpecOp spec = parse(kRequestBody, kRequestAttr, kRequestArguments);
  SpecConfig config = SpecEvaluator(spec).config();
  std::vector<std::vector<int64_t>> all = config.requestCombinations();
  // First parameter slowest: (1,-1) (1,0) (2,-1) (2,0) (3,-1) (3,0).
  ASSERT_EQ(all.size(), 6u);
  ::spattn::core::RequestSpace space = config.requestSpace();
  for (size_t index = 0; index < all.size(); ++index) {
    EXPECT_EQ(all[index][0], 1 + int64_t(index) / 2);
    EXPECT_EQ(all[index][1], -1 + int64_t(index) % 2);
    EXPECT_EQ(space.indexOf(all[index].data()), int64_t(index));
    EXPECT_EQ(space.firstOutOfRange(all[index].data()), -1);
  }
  int64_t outside[2] = {2, 1};
  EXPECT_EQ(space.firstOutOfRange(outside), 1);
}

TEST_F(EvaluatorTest, RequestValuesOutOfRangeOrMissingFail) {
  SpecOp spec = parse(kRequestBody, kRequestAttr, kRequestArguments);
  SpecEvaluator evaluator(spec);
  EXPECT_TRUE(failed(evaluator.evaluateBudgets(64, {4, 0})));
  ASSERT_FALSE(diagnostics.empty());
  EXPECT_NE(diagnostics.back().find("quality = 4 is outside its declared range [1, 3]"),
            std::string::npos)
      << diagnostics.back();
  EXPECT_TRUE(failed(evaluator.evaluatePattern(64, {1, -2})));
  EXPECT_NE(diagnostics.back().find("task = -2"), std::string::npos);
  EXPECT_TRUE(failed(evaluator.evaluateBudgets(64)));
  EXPECT_NE(diagnostics.back().find("takes 2 request values, got 0"), std::string::npos)
      << diagnostics.back();
}

TEST_F(EvaluatorTest, RequestAssignmentsAreCheckedByName) {
  SpecOp spec = parse(kRequestBody, kRequestAttr, kRequestArguments);
  SpecConfig config = SpecEvaluator(spec).config();
  auto values = config.requestFromAssignments({"task=0", "quality=2"});
  ASSERT_TRUE(bool(values)) << llvm::toString(values.takeError());
  EXPECT_EQ(*values, (std::vector<int64_t>{2, 0}));
  auto message = [&](std::vector<std::string> assignments) {
    auto result = config.requestFromAssignments(assignments);
    return result ? std::string("ok") : llvm::toString(result.takeError());
  };
  EXPECT_NE(message({"quality=2"}).find("needs a value for request parameter task"),
            std::string::npos);
  EXPECT_NE(message({"quality=2", "task=0", "speed=1"}).find("no request parameter 'speed'"),
            std::string::npos);
  EXPECT_NE(message({"quality=x", "task=0"}).find("needs an integer"), std::string::npos);
  EXPECT_NE(message({"quality=1", "quality=2", "task=0"}).find("given twice"),
            std::string::npos);
  EXPECT_NE(message({"quality=9", "task=0"}).find("outside its declared range [1, 3]"),
            std::string::npos);
}

} // namespace
