//===- Fit.h - Fit tunable budget coefficients to a recall target -*- C++ -*-===//
//
// For one head range: every tuned value keeps more keys as it grows (for
// L >= 1), so the search grids every tunable but one and bisects the last
// (the last coeff or fraction; an exponent if there is none) to the least
// value whose recall meets the target at every data length. Among the
// feasible grid points it keeps the one with the fewest kept FLOPs over all
// data (ties: smaller coefficients, then smaller exponents), then refines
// the grid around it. The grid has `gridPoints` points per axis with one
// grid axis, about gridPoints in all with more; coefficients are spaced
// geometrically, exponents evenly; bounds included.
//
// The fixed baseline is the same search with every tuned exponent pinned to
// 0 (a budget constant in L) and coefficient upper bounds raised to at
// least the longest data length, so that a constant budget can always keep
// every key. A `fraction` stays tuned in the baseline: a constant fraction
// is the fixed form of a fraction budget.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_COMPILER_SPATTN_CALIBRATE_FIT_H
#define SPATTN_COMPILER_SPATTN_CALIBRATE_FIT_H

#include "Evaluation.h"
#include "Tunables.h"

#include <string>
#include <vector>

namespace spattn::calibrate {

struct FitOptions {
  double target = 0.9;   // least recall at every data length
  int gridPoints = 41;   // see above
  int refineRounds = 3;  // zooms of the grid around the best point
  bool fixedBudget = false;
};

struct FitResult {
  bool feasible = false;
  std::vector<double> values; // per tunable of the fit, in the given order
  double keptFlops = 0;       // over all data of the head range
  std::string miss;           // when infeasible: which length misses, by how much
};

/// Fits the tunables `which` (indices into `tunables`) for heads
/// [begin, end). On success the spec holds the fitted values; when
/// infeasible it holds the values it had before. Fails only when the spec
/// cannot be evaluated (diagnostic emitted).
mlir::FailureOr<FitResult> fitHeads(Evaluator &evaluator,
                                    const std::vector<Tunable> &tunables,
                                    const std::vector<size_t> &which,
                                    int64_t begin, int64_t end,
                                    const FitOptions &options);

/// A proposed head group and its fit.
struct ProposedGroup {
  int64_t begin = 0, end = 0;
  FitResult fit;
};

/// Splits heads [0, numHeads) into at most `maxGroups` contiguous ranges
/// with the fewest kept FLOPs in all, every range fitted on its own (dynamic
/// programming over split points; fewer groups on ties). Every tunable is
/// fitted per range. Sets `miss` and returns an empty list when no split is
/// feasible.
mlir::FailureOr<std::vector<ProposedGroup>>
proposeGroups(Evaluator &evaluator, const std::vector<Tunable> &tunables,
              int64_t numHeads, int64_t maxGroups, const FitOptions &options,
              std::string &miss);

} // namespace spattn::calibrate

#endif
