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

#include <vector>

namespace spattn::ref {

/// Rows averaged above this length are sampled evenly (the last included).
constexpr int64_t kDensitySampledRows = 4096;

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
