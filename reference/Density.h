//===- Density.h - Kept fraction of a pattern at one length -----*- C++ -*-===//
//
// Density as docs/semantics.md defines it: kept pairs under the effective
// mask over the pairs dense attention computes, with Lq = Lk = L. Long
// lengths average a fixed set of evenly spaced rows; content-based patterns
// run on synthetic standard-normal Q and K.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_REFERENCE_DENSITY_H
#define SPATTN_REFERENCE_DENSITY_H

#include "reference/Selection.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace spattn::ref {

/// Rows averaged above this length are sampled evenly (the last included).
constexpr int64_t kDensitySampledRows = 4096;

/// Keys dense attention gives query row i: p(i) + 1 under causal, else Lk.
inline double denseKeys(const AttentionProblem &problem, int64_t i) {
  return problem.causal ? double(problem.queryPosition(i) + 1)
                        : double(problem.keyLength);
}

/// Kept and dense pairs over min(Lq, maxRows) evenly spaced query rows (the
/// last included) of one head, `row(i, keep)` giving row i's mask.
template <typename RowMask>
std::pair<double, double> sampledPairs(const AttentionProblem &problem,
                                       int64_t maxRows, RowMask &&row) {
  const int64_t lq = problem.queryLength;
  const int64_t rows = std::max<int64_t>(1, std::min(lq, maxRows));
  std::vector<uint8_t> keep;
  double kept = 0, dense = 0;
  for (int64_t r = 0; r < rows; ++r) {
    int64_t i = rows == 1 ? lq - 1 : r * (lq - 1) / (rows - 1);
    row(i, keep);
    for (uint8_t k : keep)
      kept += k;
    dense += denseKeys(problem, i);
  }
  return {kept, dense};
}

/// `count` standard-normal floats from a fixed seed (std::mt19937), the
/// synthetic content of summaries, pictures, tests and benchmarks.
std::vector<float> normalRows(int64_t count, uint32_t seed);

/// Fixed-seed standard-normal Q [Lq, D] and K [Lk, D], shared by every head
/// a summary reports; empty when the pattern reads no content.
class SyntheticContent {
public:
  SyntheticContent(const Pattern &pattern,
                   const AttentionProblem &problem);
  HeadContent view() const;

private:
  std::vector<float> queries, keys;
};

/// The first query head of every group of heads that share one pattern:
/// head 0 and every per_head start, sorted ascending.
std::vector<int64_t> headGroupStarts(const Pattern &pattern);

/// Kept fraction of query head `head` of `pattern` at Lq = Lk = L.
double keptFraction(const Pattern &pattern,
                    const AttentionProblem &problem, int64_t head,
                    HeadContent content);

} // namespace spattn::ref

#endif
