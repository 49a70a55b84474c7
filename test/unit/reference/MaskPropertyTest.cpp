//===- MaskPropertyTest.cpp - MaskEvaluator vs a per-token predicate ------===//
//
// Random static pattern trees over many shapes (L = 1, odd lengths, lengths
// that are not block multiples, decode with Lq < Lk, several heads): the
// interval-filling MaskEvaluator must equal a direct, per-token transcription
// of docs/semantics.md.
//
//===----------------------------------------------------------------------===//
#include "core/RandomBlockHash.h"
#include "TestUtil.h"

#include "reference/Selection.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace spattn::ref::test {
namespace {

int64_t floorDiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

/// random_blocks by definition: rank the candidates of (h, qb) by hash.
bool randomBlockKept(const Pattern &p, const AttentionProblem &problem,
                     int64_t h, int64_t qb, int64_t kb) {
  int64_t blocks = (problem.keyLength + p.block - 1) / p.block;
  int64_t last = problem.causal ? std::min(qb, blocks - 1) : blocks - 1;
  if (kb > last)
    return false;
  std::vector<std::pair<uint64_t, int64_t>> ranked;
  for (int64_t c = 0; c <= last; ++c)
    ranked.push_back({core::randomBlockHash(p.seed, h, qb, c), c});
  std::sort(ranked.begin(), ranked.end());
  int64_t keep = std::min<int64_t>(p.count, ranked.size());
  for (int64_t r = 0; r < keep; ++r)
    if (ranked[r].second == kb)
      return true;
  return false;
}

/// The pattern predicate M(h, i, j), token by token, as semantics.md says.
bool keeps(const Pattern &p, const AttentionProblem &problem, int64_t h,
           int64_t i, int64_t j) {
  int64_t pos = problem.queryPosition(i);
  int64_t d = pos - j;
  switch (p.kind) {
  case PatternKind::Window:
    return 0 <= d && d < p.size;
  case PatternKind::SymmetricWindow:
    return std::abs(d) < p.size;
  case PatternKind::Sink:
    return j < p.count;
  case PatternKind::GlobalQueries:
    return pos < p.count;
  case PatternKind::Strided:
    return d % p.stride == 0;
  case PatternKind::DilatedWindow:
    return 0 <= d && d < p.size * p.stride && d % p.stride == 0;
  case PatternKind::BlockLayout: {
    int64_t qb = floorDiv(pos, p.block), kb = j / p.block;
    return qb >= 0 && qb < p.layoutRows && kb < p.layoutCols &&
           p.layout[qb * p.layoutCols + kb];
  }
  case PatternKind::RandomBlocks:
    return randomBlockKept(p, problem, h, floorDiv(pos, p.block), j / p.block);
  case PatternKind::Union:
    return std::any_of(p.children.begin(), p.children.end(),
                       [&](const Pattern &c) { return keeps(c, problem, h, i, j); });
  case PatternKind::Intersect:
    return std::all_of(p.children.begin(), p.children.end(),
                       [&](const Pattern &c) { return keeps(c, problem, h, i, j); });
  case PatternKind::PerHead: {
    size_t k = 0;
    while (k + 1 < p.headStarts.size() && p.headStarts[k + 1] <= h)
      ++k;
    return keeps(p.children[k], problem, h, i, j);
  }
  default:
    ADD_FAILURE() << "content-based kinds are not generated here";
    return false;
  }
}

class RandomPatterns {
public:
  explicit RandomPatterns(uint32_t seed) : rng(seed) {}

  int64_t uniform(int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  }

  Pattern leaf() {
    int64_t block = int64_t{1} << uniform(0, 4);
    switch (uniform(0, 7)) {
    case 0: return window(uniform(0, 40));
    case 1: return symmetricWindow(uniform(0, 20));
    case 2: return sink(uniform(0, 20));
    case 3: return globalQueries(uniform(0, 30));
    case 4: return strided(uniform(1, 9));
    case 5: return dilatedWindow(uniform(0, 8), uniform(1, 5));
    case 6: {
      Rows rows(uniform(1, 6), std::string(uniform(1, 6), '0'));
      for (std::string &row : rows)
        for (char &c : row)
          c = uniform(0, 1) ? '1' : '0';
      return blockLayout(block, rows);
    }
    default: return randomBlocks(uniform(0, 4), block, uniform(0, 1000));
    }
  }

  Pattern tree(int depth) {
    if (depth == 0 || uniform(0, 2) == 0)
      return leaf();
    std::vector<Pattern> children;
    for (int64_t c = uniform(2, 3); c > 0; --c)
      children.push_back(tree(depth - 1));
    return combine(uniform(0, 1) ? PatternKind::Union : PatternKind::Intersect,
                   std::move(children));
  }

private:
  std::mt19937 rng;
};

TEST(MaskProperty, EvaluatorMatchesPerTokenDefinition) {
  RandomPatterns random(20261122);
  const int64_t keyLengths[] = {1, 2, 3, 7, 16, 31, 33, 64, 97, 130, 257};
  int checked = 0;
  for (int trial = 0; trial < 400; ++trial) {
    int64_t lk = keyLengths[trial % std::size(keyLengths)];
    // Prefill (Lq = Lk), decode (Lq = 1) and chunked prefill (1 < Lq < Lk).
    int64_t lq = trial % 3 == 0 ? lk : trial % 3 == 1 ? 1 : random.uniform(1, lk);
    AttentionProblem problem = makeProblem(lq, lk, random.uniform(0, 1));
    problem.numQHeads = 4;
    problem.numKVHeads = 2;
    Pattern pattern = random.tree(2);
    if (trial % 4 == 0)
      pattern = perHead({0, random.uniform(1, 3)}, {pattern, random.tree(1)});
    for (int64_t h = 0; h < problem.numQHeads; ++h) {
      std::vector<uint8_t> mask = buildMask(pattern, problem, h, HeadContent{});
      for (int64_t i = 0; i < lq; ++i)
        for (int64_t j = 0; j < lk; ++j) {
          bool expected = keeps(pattern, problem, h, i, j) &&
                          (!problem.causal || j <= problem.queryPosition(i));
          ASSERT_EQ(mask[i * lk + j] != 0, expected)
              << "trial " << trial << " head " << h << " Lq " << lq << " Lk "
              << lk << " row " << i << " key " << j;
        }
      ++checked;
    }
  }
  EXPECT_EQ(checked, 1600);
}

} // namespace
} // namespace spattn::ref::test
