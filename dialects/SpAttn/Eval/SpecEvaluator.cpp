//===- SpecEvaluator.cpp - Evaluate a spec at one key length ------------===//
#include "dialects/SpAttn/Eval/SpecEvaluator.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/StringMap.h"

using namespace mlir;
using namespace mlir::spattn;

SpecConfig SpecConfig::fromOp(SpecOp spec) {
  SpecConfig config;
  config.name = spec.getSymName().str();
  config.headDim = spec.getHeadDimAttr().getInt();
  config.numQHeads = spec.getNumQHeadsAttr().getInt();
  config.numKVHeads = spec.getNumKvHeadsAttr().getInt();
  llvm::raw_string_ostream dtype(config.dtype);
  dtype << spec.getDtype();
  config.causal = spec.getCausal();
  config.scale =
      spec.getScaleAttr() ? spec.getScaleAttr().getValueAsDouble() : 0.0;
  config.buckets.assign(spec.getBuckets().begin(), spec.getBuckets().end());
  config.blockQ = spec.getBlockQAttr().getInt();
  config.blockK = spec.getBlockKAttr().getInt();
  return config;
}

ref::AttentionProblem SpecConfig::problem(int64_t queryLength,
                                          int64_t keyLength,
                                          int64_t batch) const {
  ref::AttentionProblem problem;
  problem.batch = batch;
  problem.numQHeads = numQHeads;
  problem.numKVHeads = numKVHeads;
  problem.queryLength = queryLength;
  problem.keyLength = keyLength;
  problem.headDim = headDim;
  problem.causal = causal;
  problem.scale = scale;
  return problem;
}

static StringRef mnemonicOf(Operation *op) {
  return op->getName().getStringRef().drop_front(strlen("spattn."));
}

std::vector<BudgetSite> mlir::spattn::budgetSitesOf(Block &body) {
  std::vector<BudgetSite> sites;
  llvm::StringMap<int> seen;
  for (Operation &op : body) {
    for (const PatternParameter &parameter : getPatternParameters(&op)) {
      std::string label = (mnemonicOf(&op) + "." + parameter.name).str();
      int occurrence = ++seen[label];
      if (occurrence > 1)
        label += "#" + std::to_string(occurrence);
      sites.push_back({label, &op, parameter.value, parameter.minimum});
    }
  }
  return sites;
}

SpecEvaluator::SpecEvaluator(SpecOp spec)
    : spec(spec), specConfig(SpecConfig::fromOp(spec)),
      budgetSites(budgetSitesOf(spec.getBody().front())) {}

/// Ops whose results are patterns, schedules or stages: not budgets.
static bool isStructural(Operation &op) {
  return op.getNumResults() == 0 ||
         isa<PatternType, BlocksType, ScoresType, SelectionType>(
             op.getResult(0).getType());
}

LogicalResult mlir::spattn::foldBodyAt(Block &body, int64_t length,
                                       llvm::DenseMap<Value, Attribute> &folded) {
  folded.clear();
  MLIRContext *ctx = body.getParentOp()->getContext();
  folded[body.getArgument(0)] = IntegerAttr::get(IndexType::get(ctx), length);
  SmallVector<Attribute> operands;
  SmallVector<OpFoldResult> results;
  for (Operation &op : body) {
    if (isStructural(op))
      continue;
    operands.clear();
    for (Value operand : op.getOperands())
      operands.push_back(folded.lookup(operand));
    results.clear();
    if (failed(op.fold(operands, results)) ||
        results.size() != op.getNumResults())
      return op.emitError() << "cannot be evaluated at L = " << length;
    for (auto [result, foldResult] : llvm::zip(op.getResults(), results)) {
      Attribute value = dyn_cast<Attribute>(foldResult);
      if (!value)
        value = folded.lookup(cast<Value>(foldResult));
      if (!value)
        return op.emitError() << "cannot be evaluated at L = " << length;
      folded[result] = value;
    }
  }
  return success();
}

LogicalResult SpecEvaluator::foldBody(int64_t length) {
  return foldBodyAt(spec.getBody().front(), length, folded);
}

FailureOr<int64_t> SpecEvaluator::budgetValue(Operation *user, Value value,
                                              int64_t length,
                                              int64_t minimum) {
  auto constant = dyn_cast_if_present<IntegerAttr>(folded.lookup(value));
  if (!constant)
    return user->emitError() << "a parameter cannot be evaluated at L = "
                             << length;
  int64_t result = constant.getValue().getSExtValue();
  if (result < minimum)
    return user->emitError() << "a parameter evaluates to " << result
                             << " at L = " << length << "; it must be >= "
                             << minimum;
  return result;
}

FailureOr<std::vector<int64_t>> SpecEvaluator::evaluateBudgets(int64_t length) {
  if (failed(foldBody(length)))
    return failure();
  std::vector<int64_t> values;
  values.reserve(budgetSites.size());
  for (const BudgetSite &site : budgetSites) {
    FailureOr<int64_t> value =
        budgetValue(site.op, site.value, length, site.minimum);
    if (failed(value))
      return failure();
    values.push_back(*value);
  }
  return values;
}

FailureOr<ref::Pattern> SpecEvaluator::buildPattern(Operation *op, int64_t length) {
  SmallVector<int64_t> values;
  for (const PatternParameter &parameter : getPatternParameters(op)) {
    FailureOr<int64_t> value =
        budgetValue(op, parameter.value, length, parameter.minimum);
    if (failed(value))
      return failure();
    values.push_back(*value);
  }
  std::vector<ref::Pattern> inputs;
  for (Value operand : op->getOperands())
    if (isa<PatternType>(operand.getType()))
      inputs.push_back(patterns.lookup(operand));
  return cast<PatternOpInterface>(op).toReference(values, std::move(inputs));
}

FailureOr<ref::Pattern> SpecEvaluator::evaluatePattern(int64_t length) {
  if (failed(foldBody(length)))
    return failure();
  patterns.clear();
  for (Operation &op : spec.getBody().front()) {
    if (op.getNumResults() != 1 ||
        !isa<PatternType>(op.getResult(0).getType()))
      continue;
    FailureOr<ref::Pattern> node = buildPattern(&op, length);
    if (failed(node))
      return failure();
    patterns[op.getResult(0)] = std::move(*node);
  }
  return patterns.lookup(spec.getPattern());
}
