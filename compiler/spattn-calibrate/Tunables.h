//===- Tunables.h - The `tune` marks of a spec ------------------*- C++ -*-===//
//
// A budget helper is made tunable by a discardable `tune` attribute naming
// which of its attributes the calibration may change, each with inclusive
// float bounds:
//
//   %w = spattn.budget.power %L {coeff = 1.0, exponent = 0.5,
//          tune = {coeff = array<f64: 0.05, 16.0>,
//                  exponent = array<f64: 0.0, 1.0>}}
//
// `spattn.budget.power` tunes `coeff` and `exponent`, `spattn.budget.fraction`
// tunes `fraction`. This file reads and checks the marks (located errors),
// splits them by head group (the children of a top-level `spattn.per_head`)
// and reads and writes the tuned values.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_COMPILER_SPATTN_CALIBRATE_TUNABLES_H
#define SPATTN_COMPILER_SPATTN_CALIBRATE_TUNABLES_H

#include "dialects/SpAttn/IR/SpAttnOps.h"

#include <string>
#include <vector>

namespace spattn::calibrate {

/// The name of the discardable attribute that marks tunable budgets.
constexpr const char *kTuneAttr = "tune";

/// One tunable attribute of one budget op.
struct Tunable {
  mlir::Operation *op = nullptr; // spattn.budget.power or .fraction
  std::string attribute;         // coeff, exponent or fraction
  double lo = 0.0, hi = 0.0;     // inclusive bounds
  std::string label;             // "power.coeff", a second one "power#2.coeff"

  /// A coefficient (coeff or fraction): the natural bisection axis.
  bool isCoefficient() const { return attribute != "exponent"; }
  bool isExponent() const { return attribute == "exponent"; }
};

/// The value the op holds now.
double tunableValue(const Tunable &tunable);
/// Writes `value` into the op's attribute (the IR changes).
void setTunableValue(const Tunable &tunable, double value);

/// Every `tune` mark of `spec`, in program order (attributes in the order
/// coeff, exponent, fraction). Emits a located error and fails for a mark
/// that is not a dictionary of `name = array<f64: lo, hi>`, names an
/// attribute the op cannot tune, has lo > hi or a bound that is not finite
/// or not valid for the attribute, or sits on an op that is not a tunable
/// budget helper; and when the spec has no mark at all.
mlir::FailureOr<std::vector<Tunable>> collectTunables(mlir::spattn::SpecOp spec);

/// A range of query heads [begin, end) and the tunables its pattern reads.
struct HeadGroup {
  int64_t begin = 0, end = 0;
  std::vector<size_t> tunables; // indices into the collectTunables list
  std::string name() const;     // "heads 0-3"
};

/// One group of all heads, or, when the spec yields a `spattn.per_head`, one
/// group per child with the tunables of that child's subtree. Fails with a
/// located error when a tunable op feeds several children (give each group
/// its own budget op) or no pattern at all.
mlir::FailureOr<std::vector<HeadGroup>>
headGroupsOf(mlir::spattn::SpecOp spec, const std::vector<Tunable> &tunables);

/// Every op of the body that `value` depends on (transitively), `value`'s
/// own op included; block arguments are not ops.
llvm::SmallPtrSet<mlir::Operation *, 16> backwardSliceOf(mlir::Value value);

} // namespace spattn::calibrate

#endif
