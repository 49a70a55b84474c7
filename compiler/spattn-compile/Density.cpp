//===- Density.cpp - Kept fraction of a pattern at one length -------------===//
#include "compiler/spattn-compile/Density.h"

#include "dialects/SpAttn/Reference/Mask.h"

#include <algorithm>
#include <random>

namespace spattn {

/// Standard-normal rows [length, headDim] from a fixed seed, so summaries are
/// reproducible.
static std::vector<float> syntheticRows(int64_t length, int64_t headDim,
                                        uint32_t seed) {
  std::mt19937 generator(seed);
  std::normal_distribution<float> normal;
  std::vector<float> rows(static_cast<size_t>(length * headDim));
  for (float &x : rows)
    x = normal(generator);
  return rows;
}

SyntheticContent::SyntheticContent(const ref::Pattern &pattern,
                                   const ref::AttentionProblem &problem) {
  if (!pattern.needsContent())
    return;
  queries = syntheticRows(problem.queryLength, problem.headDim, 0);
  keys = syntheticRows(problem.keyLength, problem.headDim, 1);
}

ref::HeadContent SyntheticContent::view() const {
  ref::HeadContent content;
  if (!queries.empty()) {
    content.q = queries.data();
    content.k = keys.data();
  }
  return content;
}

double keptFraction(const ref::Pattern &pattern,
                    const ref::AttentionProblem &problem, int64_t head,
                    ref::HeadContent content) {
  ref::MaskEvaluator mask(pattern, problem, head, content);
  int64_t rows = std::min(problem.queryLength, kDensitySampledRows);
  std::vector<uint8_t> keep;
  double kept = 0, dense = 0;
  for (int64_t r = 0; r < rows; ++r) {
    int64_t i = rows == 1 ? problem.queryLength - 1
                          : r * (problem.queryLength - 1) / (rows - 1);
    mask.row(i, keep);
    kept += std::count(keep.begin(), keep.end(), uint8_t{1});
    dense += problem.causal ? problem.queryPosition(i) + 1 : problem.keyLength;
  }
  return dense == 0 ? 0.0 : kept / dense;
}

} // namespace spattn
