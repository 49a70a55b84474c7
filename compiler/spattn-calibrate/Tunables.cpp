//===- Tunables.cpp - The `tune` marks of a spec -------------------------===//
#include "Tunables.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/StringMap.h"

#include <cmath>

using namespace mlir;
using namespace mlir::spattn;

namespace spattn::calibrate {

namespace {

/// The attributes `op` can tune, in the order they are listed.
llvm::ArrayRef<const char *> tunableAttributesOf(Operation *op) {
  static const char *power[] = {"coeff", "exponent"};
  static const char *fraction[] = {"fraction"};
  if (isa<BudgetPowerOp>(op))
    return power;
  if (isa<BudgetFractionOp>(op))
    return fraction;
  return {};
}

/// Why [lo, hi] is not a valid range for `attribute`, or "" if it is. The
/// op verifiers' rules: coeff > 0, exponent >= 0, fraction in (0, 1].
std::string boundsProblem(llvm::StringRef attribute, double lo, double hi) {
  if (!std::isfinite(lo) || !std::isfinite(hi))
    return "bounds must be finite";
  if (lo > hi)
    return "lower bound " + std::to_string(lo) + " is above upper bound " +
           std::to_string(hi);
  if (attribute == "coeff" && !(lo > 0.0))
    return "coeff bounds must be positive (coeff > 0)";
  if (attribute == "exponent" && !(lo >= 0.0))
    return "exponent bounds must be non-negative";
  if (attribute == "fraction" && !(lo > 0.0 && hi <= 1.0))
    return "fraction bounds must lie in (0, 1]";
  return "";
}

} // namespace

double tunableValue(const Tunable &tunable) {
  return cast<FloatAttr>(tunable.op->getAttr(tunable.attribute))
      .getValueAsDouble();
}

void setTunableValue(const Tunable &tunable, double value) {
  Builder builder(tunable.op->getContext());
  tunable.op->setAttr(tunable.attribute, builder.getF64FloatAttr(value));
}

FailureOr<std::vector<Tunable>> collectTunables(SpecOp spec) {
  std::vector<Tunable> tunables;
  llvm::StringMap<int> seen;
  bool failedAny = false;
  spec.getBody().walk([&](Operation *op) {
    Attribute mark = op->getDiscardableAttr(kTuneAttr);
    if (!mark)
      return;
    llvm::ArrayRef<const char *> names = tunableAttributesOf(op);
    if (names.empty()) {
      op->emitError() << "'" << kTuneAttr
                      << "' marks only spattn.budget.power (coeff, exponent) "
                         "and spattn.budget.fraction (fraction)";
      failedAny = true;
      return;
    }
    auto dict = dyn_cast<DictionaryAttr>(mark);
    if (!dict || dict.empty()) {
      op->emitError() << "'" << kTuneAttr
                      << "' must be a non-empty dictionary of "
                         "name = array<f64: lo, hi>";
      failedAny = true;
      return;
    }
    std::string opName =
        op->getName().getStringRef().drop_front(strlen("spattn.budget.")).str();
    int occurrence = ++seen[opName];
    if (occurrence > 1)
      opName += "#" + std::to_string(occurrence);
    for (NamedAttribute entry : dict) {
      if (!llvm::is_contained(names, entry.getName().strref())) {
        auto diag = op->emitError()
                    << "'" << kTuneAttr << "' names '" << entry.getName().strref()
                    << "'; " << op->getName() << " tunes ";
        for (size_t i = 0; i < names.size(); ++i)
          diag << (i ? " or " : "") << names[i];
        failedAny = true;
        continue;
      }
      auto bounds = dyn_cast<DenseF64ArrayAttr>(entry.getValue());
      if (!bounds || bounds.size() != 2) {
        op->emitError() << "'" << kTuneAttr << "' bounds of '"
                        << entry.getName().strref()
                        << "' must be array<f64: lo, hi>";
        failedAny = true;
        continue;
      }
      double lo = bounds[0], hi = bounds[1];
      std::string problem = boundsProblem(entry.getName().strref(), lo, hi);
      if (!problem.empty()) {
        op->emitError() << "'" << kTuneAttr << "' bounds of '"
                        << entry.getName().strref() << "': " << problem;
        failedAny = true;
        continue;
      }
      Tunable tunable;
      tunable.op = op;
      tunable.attribute = entry.getName().str();
      tunable.lo = lo;
      tunable.hi = hi;
      tunable.label = opName + "." + tunable.attribute;
      tunables.push_back(std::move(tunable));
    }
  });
  if (failedAny)
    return failure();
  if (tunables.empty())
    return spec.emitError()
           << "no tunable budget: mark a spattn.budget.power or "
              "spattn.budget.fraction with '"
           << kTuneAttr << "' = {coeff = array<f64: lo, hi>, ...}";
  // Dictionaries are sorted by name; list each op's attributes in the
  // documented order (coeff before exponent).
  std::stable_sort(tunables.begin(), tunables.end(),
                   [](const Tunable &a, const Tunable &b) {
                     if (a.op != b.op)
                       return a.op->isBeforeInBlock(b.op);
                     return a.attribute == "coeff" && b.attribute != "coeff";
                   });
  return tunables;
}

std::string HeadGroup::name() const {
  if (end - begin == 1)
    return "head " + std::to_string(begin);
  return "heads " + std::to_string(begin) + "-" + std::to_string(end - 1);
}

llvm::SmallPtrSet<Operation *, 16> backwardSliceOf(Value value) {
  llvm::SmallPtrSet<Operation *, 16> slice;
  llvm::SmallVector<Value> work{value};
  while (!work.empty()) {
    Operation *op = work.pop_back_val().getDefiningOp();
    if (!op || !slice.insert(op).second)
      continue;
    for (Value operand : op->getOperands())
      work.push_back(operand);
  }
  return slice;
}

FailureOr<std::vector<HeadGroup>>
headGroupsOf(SpecOp spec, const std::vector<Tunable> &tunables) {
  const int64_t heads = spec.getNumQHeadsAttr().getInt();
  Value pattern = spec.getPattern();
  auto perHead = pattern.getDefiningOp<PerHeadOp>();
  std::vector<HeadGroup> groups;
  std::vector<llvm::SmallPtrSet<Operation *, 16>> slices;
  if (!perHead) {
    groups.push_back({0, heads, {}});
    slices.push_back(backwardSliceOf(pattern));
  } else {
    llvm::ArrayRef<int64_t> starts = perHead.getHeads();
    for (size_t k = 0; k < perHead.getInputs().size(); ++k) {
      int64_t end = k + 1 < starts.size() ? starts[k + 1] : heads;
      groups.push_back({starts[k], end, {}});
      slices.push_back(backwardSliceOf(perHead.getInputs()[k]));
    }
  }
  for (size_t t = 0; t < tunables.size(); ++t) {
    std::vector<size_t> owners;
    for (size_t g = 0; g < groups.size(); ++g)
      if (slices[g].contains(tunables[t].op))
        owners.push_back(g);
    if (owners.empty())
      return tunables[t].op->emitError()
             << "tunable budget does not reach the yielded pattern";
    if (owners.size() > 1)
      return tunables[t].op->emitError()
             << "tunable budget feeds the patterns of several head groups ("
             << groups[owners[0]].name() << " and " << groups[owners[1]].name()
             << "); give each spattn.per_head input its own budget op";
    groups[owners[0]].tunables.push_back(t);
  }
  return groups;
}

} // namespace spattn::calibrate
