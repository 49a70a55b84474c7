//===- SpecializeBuckets.cpp - One variant per length bucket --------------===//
#include "passes/Passes.h"

#include "dialects/SpAttn/Eval/SpecEvaluator.h"
#include "reference/Density.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace mlir::spattn {
#define GEN_PASS_DEF_SPATTNSPECIALIZEBUCKETSPASS
#include "passes/Passes.h.inc"
} // namespace mlir::spattn

using namespace mlir;
using namespace mlir::spattn;

namespace {

/// Exact bounds of every budget over the lengths [lo, hi] and every
/// combination of request values.
struct BudgetBounds {
  std::vector<int64_t> minimum, maximum;
};

FailureOr<BudgetBounds> boundBudgets(SpecEvaluator &evaluator, int64_t lo,
                                     int64_t hi) {
  size_t count = evaluator.budgets().size();
  BudgetBounds bounds{std::vector<int64_t>(count, INT64_MAX),
                      std::vector<int64_t>(count, INT64_MIN)};
  for (const std::vector<int64_t> &request :
       evaluator.config().requestCombinations()) {
    for (int64_t length = lo; length <= hi; ++length) {
      FailureOr<std::vector<int64_t>> values =
          evaluator.evaluateBudgets(length, request);
      if (failed(values))
        return failure();
      for (size_t b = 0; b < count; ++b) {
        bounds.minimum[b] = std::min(bounds.minimum[b], (*values)[b]);
        bounds.maximum[b] = std::max(bounds.maximum[b], (*values)[b]);
      }
    }
  }
  return bounds;
}

/// The request values in the middle of each declared range: the strategy
/// of a bucket is chosen for them (any strategy gives the same results).
std::vector<int64_t> middleRequest(const SpecConfig &config) {
  std::vector<int64_t> request;
  for (size_t k = 0; k < config.requestNames.size(); ++k)
    request.push_back(config.requestMin[k] +
                      (config.requestMax[k] - config.requestMin[k]) / 2);
  return request;
}

/// Kept fraction at L averaged over all query heads (per_head groups
/// weighted by their size), on the reference's synthetic content.
FailureOr<double> meanDensity(SpecEvaluator &evaluator, int64_t length) {
  FailureOr<ref::Pattern> pattern =
      evaluator.evaluatePattern(length, middleRequest(evaluator.config()));
  if (failed(pattern))
    return failure();
  const SpecConfig &config = evaluator.config();
  ref::AttentionProblem problem = config.problem(length, length);
  ref::SyntheticContent content(*pattern, problem);
  std::vector<int64_t> starts = ref::headGroupStarts(*pattern);
  starts.push_back(config.numQHeads);
  double sum = 0;
  for (size_t g = 0; g + 1 < starts.size(); ++g)
    sum += (starts[g + 1] - starts[g]) *
           ref::keptFraction(*pattern, problem, starts[g], content.view());
  return sum / config.numQHeads;
}

/// Replaces the budget operands that are constant over the bucket by
/// constants, then drops the budget arithmetic nothing uses any more.
void foldConstantBudgets(VariantOp variant, const BudgetBounds &bounds) {
  Block &body = variant.getBody().front();
  OpBuilder builder(variant.getContext());
  size_t site = 0;
  for (Operation &op : body) {
    size_t parameters = getPatternParameters(&op).size();
    for (size_t p = 0; p < parameters; ++p, ++site) {
      if (bounds.minimum[site] != bounds.maximum[site] ||
          matchPattern(op.getOperand(p), m_Constant()))
        continue;
      builder.setInsertionPoint(&op);
      Value constant = arith::ConstantIndexOp::create(builder, op.getLoc(),
                                                      bounds.minimum[site]);
      op.setOperand(p, constant);
    }
  }
  for (Operation &op : llvm::make_early_inc_range(llvm::reverse(body)))
    if (op.use_empty() && isPure(&op) && !op.hasTrait<OpTrait::IsTerminator>())
      op.erase();
}

struct SpecializeBuckets
    : mlir::spattn::impl::SpAttnSpecializeBucketsPassBase<SpecializeBuckets> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    // A spec with variants of its own is specialized already; a symbol
    // named like its first variant may belong to another spec.
    for (SpecOp spec : llvm::to_vector(module.getOps<SpecOp>()))
      if (variantsOf(module, spec).empty() &&
          failed(specialize(spec, symbols)))
        return signalPassFailure();
  }

  static std::string variantName(SpecOp spec, size_t bucket) {
    return (spec.getSymName() + "_b" + std::to_string(bucket)).str();
  }

  LogicalResult specialize(SpecOp spec, SymbolTable &symbols) {
    SpecEvaluator evaluator(spec);
    SmallVector<StringRef> labels;
    for (const BudgetSite &site : evaluator.budgets())
      labels.push_back(site.label);
    OpBuilder builder(spec.getContext());
    builder.setInsertionPointAfter(spec);
    int64_t lo = 1;
    for (auto [bucket, hi] : llvm::enumerate(spec.getBuckets())) {
      FailureOr<BudgetBounds> bounds = boundBudgets(evaluator, lo, hi);
      if (failed(bounds))
        return failure();
      FailureOr<double> density = meanDensity(evaluator, lo);
      if (failed(density))
        return failure();
      auto variant = VariantOp::create(
          builder, spec.getLoc(), variantName(spec, bucket),
          spec.getSymName(), bucket, lo, hi,
          *density >= denseThreshold ? "dense" : "sparse", APFloat(*density),
          builder.getStrArrayAttr(labels), bounds->minimum, bounds->maximum,
          spec.getBlockQ(), spec.getBlockK(), spec.getCausal());
      IRMapping mapping;
      spec.getBody().cloneInto(&variant.getBody(), mapping);
      foldConstantBudgets(variant, *bounds);
      builder.setInsertionPointAfter(variant);
      lo = hi + 1;
    }
    return success();
  }
};

} // namespace
