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
  for (const RequestParameter &parameter : spec.getRequestParameters()) {
    config.requestNames.push_back(parameter.name);
    config.requestMin.push_back(parameter.minimum);
    config.requestMax.push_back(parameter.maximum);
  }
  return config;
}

llvm::Expected<std::vector<int64_t>>
SpecConfig::requestFromAssignments(ArrayRef<std::string> assignments) const {
  const size_t count = requestNames.size();
  std::vector<int64_t> values(count);
  std::vector<bool> given(count, false);
  for (StringRef assignment : assignments) {
    auto [name, text] = assignment.split('=');
    auto it = llvm::find(requestNames, name.trim().str());
    if (it == requestNames.end())
      return llvm::createStringError(
          "@" + this->name + " has no request parameter '" + name.trim().str() +
          "'" + (count ? "" : " (it declares none)"));
    size_t k = it - requestNames.begin();
    int64_t value = 0;
    if (text.trim().getAsInteger(10, value))
      return llvm::createStringError("request parameter " + requestNames[k] +
                                     " needs an integer, got '" + text.str() +
                                     "'");
    if (given[k])
      return llvm::createStringError("request parameter " + requestNames[k] +
                                     " is given twice");
    if (value < requestMin[k] || value > requestMax[k])
      return llvm::createStringError(
          "request parameter " + requestNames[k] + " = " +
          std::to_string(value) + " is outside its declared range [" +
          std::to_string(requestMin[k]) + ", " + std::to_string(requestMax[k]) +
          "]");
    given[k] = true;
    values[k] = value;
  }
  for (size_t k = 0; k < count; ++k)
    if (!given[k])
      return llvm::createStringError(
          "@" + this->name + " needs a value for request parameter " +
          requestNames[k] + " in [" + std::to_string(requestMin[k]) + ", " +
          std::to_string(requestMax[k]) + "]");
  return values;
}

std::vector<std::vector<int64_t>> SpecConfig::requestCombinations() const {
  ::spattn::core::RequestSpace space = requestSpace();
  std::vector<std::vector<int64_t>> all(space.combinations(),
                                        std::vector<int64_t>(space.count));
  for (auto [index, values] : llvm::enumerate(all))
    space.valuesOf(static_cast<int64_t>(index), values.data());
  return all;
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
                                       ArrayRef<int64_t> request,
                                       llvm::DenseMap<Value, Attribute> &folded) {
  folded.clear();
  Operation *owner = body.getParentOp();
  if (body.getNumArguments() != 1 + request.size())
    return owner->emitError()
           << "takes " << body.getNumArguments() - 1
           << " request values, got " << request.size();
  Type index = IndexType::get(owner->getContext());
  folded[body.getArgument(0)] = IntegerAttr::get(index, length);
  for (auto [k, value] : llvm::enumerate(request))
    folded[body.getArgument(1 + k)] = IntegerAttr::get(index, value);
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

LogicalResult SpecEvaluator::foldBody(int64_t length, ArrayRef<int64_t> request) {
  if (request.size() == specConfig.requestNames.size())
    if (int32_t k = specConfig.requestSpace().firstOutOfRange(request.data());
        k >= 0)
      return spec.emitError()
             << "request parameter " << specConfig.requestNames[k] << " = "
             << request[k] << " is outside its declared range ["
             << specConfig.requestMin[k] << ", " << specConfig.requestMax[k]
             << "]";
  return foldBodyAt(spec.getBody().front(), length, request, folded);
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
  if (result > kMaxParameterValue)
    return user->emitError() << "a parameter evaluates to " << result
                             << " at L = " << length << "; it must be <= "
                             << kMaxParameterValue;
  return result;
}

FailureOr<std::vector<int64_t>>
SpecEvaluator::evaluateBudgets(int64_t length, ArrayRef<int64_t> request) {
  if (failed(foldBody(length, request)))
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

FailureOr<ref::Pattern> SpecEvaluator::evaluatePattern(int64_t length,
                                                       ArrayRef<int64_t> request) {
  if (failed(foldBody(length, request)))
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
