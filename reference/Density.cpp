//===- Density.cpp - Kept fraction of a pattern at one length -------------===//
#include "reference/Density.h"

#include "reference/Mask.h"

#include <algorithm>
#include <random>
#include <set>

namespace spattn::ref {

std::vector<float> normalRows(int64_t count, uint32_t seed) {
  std::mt19937 generator(seed);
  std::normal_distribution<float> normal;
  std::vector<float> rows(static_cast<size_t>(count));
  for (float &x : rows)
    x = normal(generator);
  return rows;
}

SyntheticContent::SyntheticContent(const Pattern &pattern,
                                   const AttentionProblem &problem) {
  if (!pattern.needsContent())
    return;
  queries = normalRows(problem.queryLength * problem.headDim, 0);
  keys = normalRows(problem.keyLength * problem.headDim, 1);
}

HeadContent SyntheticContent::view() const {
  HeadContent content;
  if (!queries.empty()) {
    content.q = queries.data();
    content.k = keys.data();
  }
  return content;
}

static void collectHeadStarts(const Pattern &pattern, std::set<int64_t> &heads) {
  if (pattern.kind == PatternKind::PerHead)
    heads.insert(pattern.headStarts.begin(), pattern.headStarts.end());
  for (const Pattern &child : pattern.children)
    collectHeadStarts(child, heads);
}

std::vector<int64_t> headGroupStarts(const Pattern &pattern) {
  std::set<int64_t> heads = {0};
  collectHeadStarts(pattern, heads);
  return {heads.begin(), heads.end()};
}

double keptFraction(const Pattern &pattern,
                    const AttentionProblem &problem, int64_t head,
                    HeadContent content) {
  MaskEvaluator mask(pattern, problem, head, content);
  auto [kept, dense] = sampledPairs(
      problem, kDensitySampledRows,
      [&](int64_t i, std::vector<uint8_t> &keep) { mask.row(i, keep); });
  return dense == 0 ? 0.0 : kept / dense;
}

} // namespace spattn::ref
