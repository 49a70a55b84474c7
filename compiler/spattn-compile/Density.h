//===- Density.h - Kept fraction of a pattern at one length -----*- C++ -*-===//
//
// Density as docs/semantics.md defines it: kept pairs under the effective
// mask over the pairs dense attention computes, with Lq = Lk = L. Long
// lengths average a fixed set of evenly spaced rows; content-based patterns
// run on synthetic standard-normal Q and K.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_COMPILER_SPATTN_COMPILE_DENSITY_H
#define SPATTN_COMPILER_SPATTN_COMPILE_DENSITY_H

#include "dialects/SpAttn/Reference/Selection.h"

#include <vector>

namespace spattn {

/// Rows averaged above this length are sampled evenly (the last included).
constexpr int64_t kDensitySampledRows = 4096;

/// Fixed-seed standard-normal Q [Lq, D] and K [Lk, D], shared by every head
/// a summary reports; empty when the pattern reads no content.
class SyntheticContent {
public:
  SyntheticContent(const ref::Pattern &pattern,
                   const ref::AttentionProblem &problem);
  ref::HeadContent view() const;

private:
  std::vector<float> queries, keys;
};

/// Kept fraction of query head `head` of `pattern` at Lq = Lk = L.
double keptFraction(const ref::Pattern &pattern,
                    const ref::AttentionProblem &problem, int64_t head,
                    ref::HeadContent content);

} // namespace spattn

#endif
