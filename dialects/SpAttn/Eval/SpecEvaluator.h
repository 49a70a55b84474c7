//===- SpecEvaluator.h - Evaluate a spec at one key length ----*- C++ -*-===//
//
// Binds %L (and the request parameters) of a `spattn.spec` to concrete
// values, folds every budget with the ops' own folders (arith, math, spattn.budget) and returns the concrete
// pattern tree the reference semantics consume. This is the single place that
// gives spec IR its meaning at a length; tools and tests share it.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_DIALECT_SPATTN_EVAL_SPATTNEVALUATOR_H
#define SPATTN_DIALECT_SPATTN_EVAL_SPATTNEVALUATOR_H

#include "dialects/SpAttn/IR/SpAttnOps.h"
#include "core/RequestSpace.h"
#include "reference/Pattern.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mlir::spattn {

namespace ref = ::spattn::ref;

/// The static attributes of a spec, as plain values.
struct SpecConfig {
  std::string name;
  int64_t headDim = 0, numQHeads = 0, numKVHeads = 0;
  std::string dtype;
  bool causal = false;
  double scale = 0.0; // 0: the default 1/sqrt(head_dim)
  std::vector<int64_t> buckets;
  int64_t blockQ = 0, blockK = 0;
  std::vector<std::string> requestNames; // declared request parameters
  std::vector<int64_t> requestMin, requestMax;

  static SpecConfig fromOp(SpecOp spec);
  /// The combinations of request values (pointers into this config).
  ::spattn::core::RequestSpace requestSpace() const {
    return {static_cast<int32_t>(requestNames.size()), requestMin.data(),
            requestMax.data()};
  }
  /// Request values from "name=value" assignments, one per declared
  /// parameter (any order), in declaration order; an error names a missing,
  /// unknown, repeated, malformed or out-of-range one.
  llvm::Expected<std::vector<int64_t>>
  requestFromAssignments(ArrayRef<std::string> assignments) const;
  /// Every combination of request values, in the library's order
  /// (core/RequestSpace.h); one empty combination without parameters.
  std::vector<std::vector<int64_t>> requestCombinations() const;
  /// An attention problem with these heads and options at (Lq, Lk).
  ref::AttentionProblem problem(int64_t queryLength, int64_t keyLength,
                                int64_t batch = 1) const;
};

/// One pattern parameter (a budget) of the spec, e.g. "window.size".
struct BudgetSite {
  std::string label;
  Operation *op;
  Value value;
  int64_t minimum; // least valid value at a call (1 for strides, else 0)
};

/// Every pattern parameter of a spec or variant body, in program order, with
/// unique labels ("window.size", a second one "window.size#2").
std::vector<BudgetSite> budgetSitesOf(Block &body);

/// Folds every budget of `body` (a spec or variant body) with %L bound to
/// `length` and the request arguments to `request`, using the ops' own
/// folders; the IR is not changed. Fails with a located diagnostic at an op
/// that does not fold to a constant, or when `request` does not match the
/// body's request arguments in number.
LogicalResult foldBodyAt(Block &body, int64_t length, ArrayRef<int64_t> request,
                         llvm::DenseMap<Value, Attribute> &folded);

class SpecEvaluator {
public:
  explicit SpecEvaluator(SpecOp spec);

  const SpecConfig &config() const { return specConfig; }
  /// Every pattern parameter in program order, labelled uniquely.
  const std::vector<BudgetSite> &budgets() const { return budgetSites; }

  /// Evaluates every budget at key length L and request values `request`
  /// (one per declared request parameter, in range) in the order of
  /// budgets(). Emits a located diagnostic and fails when a budget cannot be
  /// evaluated or is out of range (negative size, zero stride), or the
  /// request values do not fit the declaration.
  FailureOr<std::vector<int64_t>> evaluateBudgets(int64_t length,
                                                  ArrayRef<int64_t> request = {});

  /// The concrete pattern at key length L and request values `request`.
  FailureOr<ref::Pattern> evaluatePattern(int64_t length,
                                          ArrayRef<int64_t> request = {});

private:
  LogicalResult foldBody(int64_t length, ArrayRef<int64_t> request);
  FailureOr<ref::Pattern> buildPattern(Operation *op, int64_t length);
  FailureOr<int64_t> budgetValue(Operation *user, Value value, int64_t length,
                                 int64_t minimum);

  SpecOp spec;
  SpecConfig specConfig;
  std::vector<BudgetSite> budgetSites;
  llvm::DenseMap<Value, Attribute> folded;
  llvm::DenseMap<Value, ref::Pattern> patterns;
};

} // namespace mlir::spattn

#endif
