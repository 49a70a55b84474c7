//===- TestUtil.h - Builders shared by the reference tests ------*- C++ -*-===//
#ifndef SPATTN_TEST_REFERENCE_TESTUTIL_H
#define SPATTN_TEST_REFERENCE_TESTUTIL_H

#include "reference/Mask.h"

#include <string>
#include <vector>

namespace spattn::ref::test {

/// A mask written as one string of '0' / '1' per query row.
using Rows = std::vector<std::string>;

inline AttentionProblem makeProblem(int64_t lq, int64_t lk, bool causal,
                                    int64_t dim = 1, double scale = 0.0) {
  AttentionProblem problem;
  problem.queryLength = lq;
  problem.keyLength = lk;
  problem.causal = causal;
  problem.headDim = dim;
  problem.scale = scale;
  return problem;
}

inline Pattern leaf(PatternKind kind) {
  Pattern p;
  p.kind = kind;
  return p;
}

inline Pattern window(int64_t w) {
  Pattern p = leaf(PatternKind::Window);
  p.size = w;
  return p;
}

inline Pattern symmetricWindow(int64_t w) {
  Pattern p = leaf(PatternKind::SymmetricWindow);
  p.size = w;
  return p;
}

inline Pattern sink(int64_t s) {
  Pattern p = leaf(PatternKind::Sink);
  p.count = s;
  return p;
}

inline Pattern globalQueries(int64_t g) {
  Pattern p = leaf(PatternKind::GlobalQueries);
  p.count = g;
  return p;
}

inline Pattern strided(int64_t t) {
  Pattern p = leaf(PatternKind::Strided);
  p.stride = t;
  return p;
}

inline Pattern dilatedWindow(int64_t w, int64_t t) {
  Pattern p = leaf(PatternKind::DilatedWindow);
  p.size = w;
  p.stride = t;
  return p;
}

/// `layout` gives one string of '0' / '1' per block row.
inline Pattern blockLayout(int64_t b, const Rows &layout) {
  Pattern p = leaf(PatternKind::BlockLayout);
  p.block = b;
  p.layoutRows = static_cast<int64_t>(layout.size());
  p.layoutCols = layout.empty() ? 0 : static_cast<int64_t>(layout[0].size());
  for (const std::string &row : layout)
    for (char c : row)
      p.layout.push_back(c == '1');
  return p;
}

inline Pattern randomBlocks(int64_t r, int64_t b, uint64_t seed) {
  Pattern p = leaf(PatternKind::RandomBlocks);
  p.count = r;
  p.block = b;
  p.seed = seed;
  return p;
}

inline Pattern topkBlocks(int64_t k, int64_t b) {
  Pattern p = leaf(PatternKind::TopkBlocks);
  p.count = k;
  p.block = b;
  return p;
}

inline Pattern mass(double gamma, int64_t b, int64_t maxK) {
  Pattern p = leaf(PatternKind::Mass);
  p.gamma = gamma;
  p.block = b;
  p.count = maxK;
  return p;
}

inline Pattern verticalSlash(int64_t nv, int64_t ns, int64_t lastQ) {
  Pattern p = leaf(PatternKind::VerticalSlash);
  p.verticals = nv;
  p.slashes = ns;
  p.lastQueries = lastQ;
  return p;
}

inline Pattern pages(int64_t k, int64_t page) {
  Pattern p = leaf(PatternKind::Pages);
  p.count = k;
  p.block = page;
  return p;
}

inline Pattern combine(PatternKind kind, std::vector<Pattern> children) {
  Pattern p = leaf(kind);
  p.children = std::move(children);
  return p;
}

inline Pattern perHead(std::vector<int64_t> starts,
                       std::vector<Pattern> children) {
  Pattern p = combine(PatternKind::PerHead, std::move(children));
  p.headStarts = std::move(starts);
  return p;
}

/// The effective mask of `head`, via buildMask, as rows of '0' / '1'.
inline Rows maskRows(const Pattern &pattern, const AttentionProblem &problem,
                     int64_t head = 0, HeadContent content = {}) {
  std::vector<uint8_t> mask = buildMask(pattern, problem, head, content);
  Rows rows(problem.queryLength, std::string(problem.keyLength, '0'));
  for (int64_t i = 0; i < problem.queryLength; ++i)
    for (int64_t j = 0; j < problem.keyLength; ++j)
      if (mask[i * problem.keyLength + j])
        rows[i][j] = '1';
  return rows;
}

} // namespace spattn::ref::test

#endif // SPATTN_TEST_REFERENCE_TESTUTIL_H
