//===- CalibrateTest.cpp - spattn-calibrate on planted length laws --------===//
//
// Synthetic attention (compiler/spattn-calibrate/Planted.h) spreads row i's
// mass uniformly over the w(L) = floor(c * L^a) most recent keys. With a
// recall target of 0.999 a causal window needs exactly w(L) keys at every
// length, so calibrating `window(power(L))` must reproduce the planted law:
// the tests check the fitted window at every data length (exactly, with a
// tolerance of one key) and between them (within 5% or one key), the fixed
// baseline (the largest planted window), head groups and proposed splits.
//
//===----------------------------------------------------------------------===//
#include "compiler/spattn-calibrate/Calibrate.h"
#include "compiler/spattn-calibrate/Planted.h"
#include "compiler/spattn-calibrate/Rewrite.h"

#include "dialects/SpAttn/IR/SpAttnDialect.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/FileSystem.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace spattn::calibrate;
using mlir::spattn::SpecEvaluator;
using mlir::spattn::SpecOp;

namespace {

const std::vector<int64_t> kLengths = {32, 48, 64, 96, 128, 192, 256};
constexpr double kTarget = 0.999;

/// A causal spec over `heads` heads, head_dim 256, with `pattern` as body.
std::string specText(int64_t heads, const std::string &body) {
  return "spattn.spec @planted attributes {head_dim = 256 : i64, "
         "num_q_heads = " +
         std::to_string(heads) + " : i64, num_kv_heads = " +
         std::to_string(heads) +
         " : i64, dtype = f32, causal, buckets = array<i64: 256>} {\n"
         "^bb0(%L: index):\n" +
         body + "}\n";
}

const char *kWindowLaw =
    "  %w = spattn.budget.power %L {coeff = 1.0, exponent = 0.5, tune = "
    "{coeff = array<f64: 0.05, 16.0>, exponent = array<f64: 0.0, 1.0>}}\n"
    "  %p = spattn.window %w\n"
    "  spattn.yield %p\n";

class CalibrateTest : public ::testing::Test {
protected:
  void SetUp() override {
    mlir::DialectRegistry registry;
    mlir::spattn::registerSpecDialects(registry);
    context.appendDialectRegistry(registry);
    context.loadAllAvailableDialects();
    llvm::SmallString<128> dir;
    ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("calibrate-test", dir));
    folder = dir.str().str();
  }
  void TearDown() override { llvm::sys::fs::remove_directories(folder); }

  SpecOp parse(const std::string &text) {
    module = mlir::parseSourceString<mlir::ModuleOp>(text, &context);
    EXPECT_TRUE(module);
    return *module->getOps<SpecOp>().begin();
  }

  Dataset plant(const std::vector<PlantedLaw> &heads, SpecOp spec) {
    PlantedOptions options;
    options.lengths = kLengths;
    options.heads = heads;
    options.seed = 7;
    llvm::Error error = writePlanted(folder, options);
    EXPECT_FALSE(error) << llvm::toString(std::move(error));
    llvm::Expected<Dataset> data =
        loadDataset(folder, {}, mlir::spattn::SpecConfig::fromOp(spec));
    EXPECT_TRUE(bool(data)) << llvm::toString(data.takeError());
    return std::move(*data);
  }

  /// Budget site `site` of `spec` at every L in [lo, hi].
  std::vector<int64_t> budgetsOf(SpecOp spec, size_t site, int64_t lo,
                                 int64_t hi) {
    SpecEvaluator evaluator(spec);
    std::vector<int64_t> values;
    for (int64_t length = lo; length <= hi; ++length)
      values.push_back((*evaluator.evaluateBudgets(length))[site]);
    return values;
  }

  /// The fitted window (budget site `site`) follows `law`: within one key at
  /// every data length, within 5% (or one key) at every length between.
  void expectLaw(SpecOp spec, size_t site, const PlantedLaw &law) {
    std::vector<int64_t> fitted =
        budgetsOf(spec, site, kLengths.front(), kLengths.back());
    for (int64_t length = kLengths.front(); length <= kLengths.back();
         ++length) {
      int64_t got = fitted[length - kLengths.front()];
      int64_t planted = law.window(length);
      bool onData = llvm::is_contained(kLengths, length);
      double tolerance = onData ? 1.0 : std::max(1.0, 0.05 * planted);
      EXPECT_LE(std::abs(double(got - planted)), tolerance)
          << "L = " << length << ": fitted window " << got << ", planted "
          << planted << " (" << law.coeff << " * L^" << law.exponent << ")";
    }
  }

  mlir::MLIRContext context;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  std::string folder;
};

TEST_F(CalibrateTest, RecoversPlantedLaws) {
  for (PlantedLaw law : {PlantedLaw{2.0, 0.6}, PlantedLaw{0.5, 0.9},
                         PlantedLaw{8.0, 0.3}, PlantedLaw{1.5, 0.5}}) {
    SpecOp spec = parse(specText(2, kWindowLaw));
    Dataset data = plant({law, law}, spec);
    CalibrateOptions options;
    options.recall = kTarget;
    options.jobs = 2;
    std::string error;
    mlir::FailureOr<Report> report = calibrate(spec, data, options, error);
    ASSERT_TRUE(mlir::succeeded(report)) << error;
    SCOPED_TRACE("planted " + std::to_string(law.coeff) + " * L^" +
                 std::to_string(law.exponent));
    expectLaw(spec, 0, law);
    // The target holds at every length (tightness: the test below).
    for (const LengthStats &at : report->groups[0].fitted.stats)
      EXPECT_GE(at.totals.recall(), kTarget) << "L = " << at.length;
    // Fixed baseline: the least constant that serves the longest window.
    int64_t widest = 0;
    for (int64_t length : kLengths)
      widest = std::max(widest, law.window(length));
    for (const LengthStats &at : report->groups[0].fixed.stats) {
      EXPECT_EQ(at.budgets[0], widest) << "L = " << at.length;
      EXPECT_GE(at.totals.recall(), kTarget);
    }
    // A law that grows keeps fewer pairs than the widest constant.
    Totals fitted = totalOf(report->groups[0].fitted),
           fixed = totalOf(report->groups[0].fixed);
    EXPECT_LT(fitted.keptPairs, fixed.keptPairs);
    llvm::sys::fs::remove_directories(folder);
  }
}

TEST_F(CalibrateTest, WindowOneShorterMissesTheTarget) {
  // The recall measure itself: w(L) keys meet the target, w(L) - 1 do not.
  PlantedLaw law{2.0, 0.6};
  SpecOp spec = parse(specText(1, kWindowLaw));
  Dataset data = plant({law}, spec);
  mlir::FailureOr<std::vector<Tunable>> tunables = collectTunables(spec);
  ASSERT_TRUE(mlir::succeeded(tunables));
  ASSERT_EQ(tunables->size(), 2u);
  Evaluator evaluator(spec, data, 1);
  setTunableValue((*tunables)[1], 0.0); // exponent 0: window = floor(coeff)
  for (size_t l = 0; l < kLengths.size(); ++l) {
    int64_t w = law.window(kLengths[l]);
    for (int64_t window : {w, w - 1}) {
      setTunableValue((*tunables)[0], double(window) + 0.5);
      mlir::FailureOr<std::vector<LengthStats>> stats = evaluator.evaluate(0, 1);
      ASSERT_TRUE(mlir::succeeded(stats));
      const LengthStats &at = (*stats)[l];
      EXPECT_EQ(at.budgets[0], window);
      if (window == w)
        EXPECT_GE(at.totals.recall(), kTarget) << "L = " << kLengths[l];
      else
        EXPECT_LT(at.totals.recall(), kTarget) << "L = " << kLengths[l];
      EXPECT_EQ(at.totals.densePairs, 2 * kLengths[l] * (kLengths[l] + 1) / 2);
      EXPECT_EQ(at.totals.rows, 2 * kLengths[l]);
    }
  }
}

TEST_F(CalibrateTest, PerHeadGroupsFitSeparately) {
  PlantedLaw narrow{1.0, 0.5}, wide{3.0, 0.7};
  std::string body =
      "  %a = spattn.budget.power %L {coeff = 1.0, exponent = 0.5, tune = "
      "{coeff = array<f64: 0.05, 16.0>, exponent = array<f64: 0.0, 1.0>}}\n"
      "  %b = spattn.budget.power %L {coeff = 1.0, exponent = 0.5, tune = "
      "{coeff = array<f64: 0.05, 16.0>, exponent = array<f64: 0.0, 1.0>}}\n"
      "  %pa = spattn.window %a\n"
      "  %pb = spattn.window %b\n"
      "  %p = spattn.per_head %pa, %pb heads [0, 2]\n"
      "  spattn.yield %p\n";
  SpecOp spec = parse(specText(4, body));
  Dataset data = plant({narrow, narrow, wide, wide}, spec);
  CalibrateOptions options;
  options.recall = kTarget;
  std::string error;
  mlir::FailureOr<Report> report = calibrate(spec, data, options, error);
  ASSERT_TRUE(mlir::succeeded(report)) << error;
  ASSERT_EQ(report->groups.size(), 2u);
  EXPECT_EQ(report->groups[1].begin, 2);
  expectLaw(spec, 0, narrow);
  expectLaw(spec, 1, wide);
}

TEST_F(CalibrateTest, ProposedGroupsFindThePlantedSplit) {
  PlantedLaw narrow{1.0, 0.5}, wide{3.0, 0.7};
  SpecOp spec = parse(specText(4, kWindowLaw));
  Dataset data = plant({narrow, narrow, narrow, wide}, spec);
  CalibrateOptions options;
  options.recall = kTarget;
  options.proposeGroups = 3;
  std::string error;
  mlir::FailureOr<Report> report = calibrate(spec, data, options, error);
  ASSERT_TRUE(mlir::succeeded(report)) << error;
  // Two groups suffice (a third split saves nothing; ties take fewer).
  ASSERT_EQ(report->groups.size(), 2u);
  EXPECT_EQ(report->groups[0].end, 3);
  // The rewritten spec: a per_head of two windows with their own laws.
  auto perHead = spec.getPattern().getDefiningOp<mlir::spattn::PerHeadOp>();
  ASSERT_TRUE(perHead);
  EXPECT_EQ(perHead.getHeads(), llvm::ArrayRef<int64_t>({0, 3}));
  expectLaw(spec, 0, narrow);
  expectLaw(spec, 1, wide);
  // It prints, parses back and keeps its tune marks.
  std::string printed;
  llvm::raw_string_ostream os(printed);
  printSpec(spec, os);
  mlir::OwningOpRef<mlir::ModuleOp> again =
      mlir::parseSourceString<mlir::ModuleOp>(printed, &context);
  ASSERT_TRUE(again) << printed;
  SpecOp reparsed = *again->getOps<SpecOp>().begin();
  mlir::FailureOr<std::vector<Tunable>> tunables = collectTunables(reparsed);
  ASSERT_TRUE(mlir::succeeded(tunables));
  EXPECT_EQ(tunables->size(), 4u);
  // Fixed: one constant for all heads. Recall is the mean over the heads,
  // so the constant may fall a key or two short of the widest window
  // (three heads are fully served at L = 256).
  int64_t fixed = report->groups[1].fixed.stats.back().budgets[0];
  EXPECT_LE(fixed, wide.window(kLengths.back()));
  EXPECT_GE(fixed, wide.window(kLengths.back()) - 2);
  Totals all = totalOf(report->groups[0].fixed);
  all.add(totalOf(report->groups[1].fixed));
  for (size_t l = 0; l < kLengths.size(); ++l) {
    Totals both = report->groups[0].fixed.stats[l].totals;
    both.add(report->groups[1].fixed.stats[l].totals);
    EXPECT_GE(both.recall(), kTarget) << "L = " << kLengths[l];
  }
  EXPECT_LT(totalOf(report->groups[0].fitted).keptPairs +
                totalOf(report->groups[1].fitted).keptPairs,
            all.keptPairs);
}

TEST_F(CalibrateTest, UnreachableTargetNamesLengthAndGroup) {
  std::string body =
      "  %w = spattn.budget.power %L {coeff = 1.0, exponent = 0.5, tune = "
      "{coeff = array<f64: 0.05, 2.0>}}\n"
      "  %p = spattn.window %w\n"
      "  spattn.yield %p\n";
  SpecOp spec = parse(specText(1, body));
  Dataset data = plant({PlantedLaw{3.0, 0.7}}, spec);
  CalibrateOptions options;
  options.recall = kTarget;
  std::string error;
  mlir::FailureOr<Report> report = calibrate(spec, data, options, error);
  ASSERT_TRUE(mlir::failed(report));
  EXPECT_NE(error.find("head 0: recall"), std::string::npos) << error;
  EXPECT_NE(error.find("at L = "), std::string::npos) << error;
  EXPECT_NE(error.find("even at the upper bounds"), std::string::npos) << error;
}

TEST_F(CalibrateTest, DataMustFitTheSpec) {
  SpecOp spec = parse(specText(3, kWindowLaw)); // 3 heads, the data has 2
  PlantedOptions options;
  options.lengths = {32};
  options.heads = {PlantedLaw{}, PlantedLaw{}};
  ASSERT_FALSE(writePlanted(folder, options));
  llvm::Expected<Dataset> data =
      loadDataset(folder, {}, mlir::spattn::SpecConfig::fromOp(spec));
  ASSERT_FALSE(bool(data));
  std::string message = llvm::toString(data.takeError());
  EXPECT_NE(message.find("L32_planted0_q.npy: shape [2, 32, 256], expected "
                         "[3, 32, 256]"),
            std::string::npos)
      << message;
  // --match keeps matching files only; none here.
  llvm::Expected<Dataset> none = loadDataset(
      folder, {"layer9"}, mlir::spattn::SpecConfig::fromOp(spec));
  ASSERT_FALSE(bool(none));
  EXPECT_NE(llvm::toString(none.takeError()).find("that matches --match"),
            std::string::npos);
}

} // namespace
