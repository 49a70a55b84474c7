//===- Evaluation.h - Recall, density and kept FLOPs of a spec --*- C++ -*-===//
//
// Evaluates a spec, as its attributes stand, on a Dataset: per length L of
// the data and per query head, the recall (mean over rows of the dense
// softmax mass on the kept keys), the kept and dense pairs. Dense softmax
// probabilities are computed once per (sample, head), in fp64 (stored as
// float), under the spec's causal mask and scale with Lq = Lk = L. Masks
// depend only on the integer budgets the pattern ops read at L, so results
// are cached per (head, L, those budgets): a search that changes the tuned
// coefficients pays for a mask only when some budget actually changes.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_COMPILER_SPATTN_CALIBRATE_EVALUATION_H
#define SPATTN_COMPILER_SPATTN_CALIBRATE_EVALUATION_H

#include "Dataset.h"

#include <functional>
#include <map>
#include <tuple>
#include <vector>

namespace spattn::calibrate {

/// Sums over rows, samples and heads at one length.
struct Totals {
  double recallSum = 0; // kept dense softmax mass, summed over rows
  int64_t rows = 0;     // rows with at least one dense key
  int64_t keptPairs = 0, densePairs = 0;

  void add(const Totals &o) {
    recallSum += o.recallSum;
    rows += o.rows;
    keptPairs += o.keptPairs;
    densePairs += o.densePairs;
  }
  double recall() const { return rows ? recallSum / rows : 1.0; }
  double density() const {
    return densePairs ? double(keptPairs) / double(densePairs) : 0.0;
  }
};

/// One head range at one length.
struct LengthStats {
  int64_t length = 0;
  Totals totals;
  std::vector<int64_t> budgets; // every budget site at L (SpecEvaluator order)
};

/// Kept FLOPs of `pairs` kept (query, key) pairs: QK^T and PV, 2 FLOPs each
/// per dimension.
inline double keptFlops(int64_t pairs, int64_t headDim) {
  return 4.0 * double(headDim) * double(pairs);
}

class Evaluator {
public:
  /// `spec` is evaluated as its attributes stand at each call, under the
  /// request values `request` (one per request parameter of the spec); the
  /// caller changes the tuned attributes in between. `jobs` threads (>= 1).
  Evaluator(mlir::spattn::SpecOp spec, const Dataset &data, unsigned jobs,
            std::vector<int64_t> request = {});

  /// The request values every evaluation uses.
  const std::vector<int64_t> &request() const { return requestValues; }

  const Dataset &data() const { return dataset; }
  const mlir::spattn::SpecConfig &config() const { return specConfig; }
  mlir::spattn::SpecOp spec() const { return specOp; }

  /// Every budget site (SpecEvaluator::budgets()) at every data length:
  /// equal keys give equal masks. Fails (diagnostic emitted) when a budget does not fold.
  mlir::FailureOr<std::vector<std::vector<int64_t>>> keys();

  /// Totals of heads [begin, end) at data length index `l`, for `key`.
  mlir::FailureOr<Totals> totalsAt(size_t l, const std::vector<int64_t> &key,
                                   int64_t begin, int64_t end);

  /// Per data length, the totals of heads [begin, end) and every budget.
  mlir::FailureOr<std::vector<LengthStats>> evaluate(int64_t begin,
                                                     int64_t end);

  /// The first data length index (trying `order` first, then the rest)
  /// whose recall over heads [begin, end) is below `target`, -1 when none.
  /// `order` is updated so the failing length is tried first next time.
  /// Assumes the mask grows with every budget (docs/calibrate.md): a key at
  /// or above (every budget) one known to meet the target is not evaluated
  /// again, nor one at or below one known to miss it.
  mlir::FailureOr<int> firstMiss(int64_t begin, int64_t end, double target,
                                 std::vector<size_t> &order,
                                 double *missRecall = nullptr);

  /// Masks evaluated so far (cache misses), for the summary line.
  int64_t masksEvaluated() const { return maskCount; }

private:
  mlir::FailureOr<std::vector<int64_t>> keyAt(int64_t length);
  const float *probabilities(size_t sample, int64_t head) const;
  Totals maskTotals(const ::spattn::ref::Pattern &pattern, size_t sample,
                    int64_t head) const;

  mlir::spattn::SpecOp specOp;
  const Dataset &dataset;
  mlir::spattn::SpecConfig specConfig;
  mlir::spattn::SpecEvaluator specEvaluator; // folds the attributes as they stand
  unsigned jobs;
  std::vector<int64_t> requestValues;
  std::vector<std::vector<size_t>> samplesAt; // per length index
  std::vector<std::vector<float>> dense;      // [sample * Hq + head] L x L
  std::map<std::vector<int64_t>, Totals> cache; // {head, l, key...}
  /// Keys known to meet / miss a target, per (begin, end, length, target).
  struct Frontier {
    std::vector<std::vector<int64_t>> met, missed;
  };
  std::map<std::tuple<int64_t, int64_t, int64_t, double>, Frontier> frontiers;
  int64_t maskCount = 0;
};

/// Runs fn(0) ... fn(n - 1) on `jobs` threads.
void parallelFor(size_t n, unsigned jobs, const std::function<void(size_t)> &fn);

} // namespace spattn::calibrate

#endif
