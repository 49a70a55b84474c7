//===- Selection.cpp - Random and content-based selections ----------------===//
//
// Follows docs/semantics.md line by line; scores are accumulated in double
// from the fp32 inputs.
//
//===----------------------------------------------------------------------===//

#include "reference/Selection.h"

#include "core/IntegerMath.h"
#include "core/RandomBlockHash.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

#include <string>
#include <utility>

namespace spattn::ref {
namespace {

using core::floorDiv;

void requireBlock(int64_t block) {
  if (block < 1)
    throw std::invalid_argument("spattn reference: block size must be >= 1");
}

void requireContent(HeadContent content, const char *kind) {
  if (!content.q || !content.k)
    throw std::invalid_argument(std::string("spattn reference: ") + kind +
                                " needs Q and K content");
}

// Last candidate key block of absolute query block qb (negative: none).
int64_t lastCandidateBlock(const AttentionProblem &problem, int64_t qb,
                           int64_t block) {
  // p(i) < Lk, so under causal qb itself is always a present key block.
  return problem.causal ? qb : numKeyBlocks(problem, block) - 1;
}

// Indices of the `k` highest scores (ties: lower index), sorted ascending.
std::vector<int64_t> topIndices(const std::vector<double> &scores, int64_t k) {
  std::vector<int64_t> order(scores.size());
  std::iota(order.begin(), order.end(), int64_t{0});
  size_t keep = std::min(order.size(), static_cast<size_t>(std::max<int64_t>(k, 0)));
  std::partial_sort(order.begin(), order.begin() + keep, order.end(),
                    [&](int64_t a, int64_t b) {
                      if (scores[a] != scores[b])
                        return scores[a] > scores[b];
                      return a < b;
                    });
  order.resize(keep);
  std::sort(order.begin(), order.end());
  return order;
}

// Mean of rows [begin, end) of a row-major [*, dim] matrix.
std::vector<double> meanRows(const float *x, int64_t begin, int64_t end,
                             int64_t dim) {
  std::vector<double> mean(dim, 0.0);
  for (int64_t r = begin; r < end; ++r)
    for (int64_t d = 0; d < dim; ++d)
      mean[d] += x[r * dim + d];
  for (double &m : mean)
    m /= static_cast<double>(end - begin);
  return mean;
}

// Block scores s(q, c) = scale * <pooled q, pooled key c> over the candidate
// blocks c of every query block (shared by topk_blocks and mass).
std::vector<std::vector<double>> blockScores(const Pattern &node,
                                             const AttentionProblem &problem,
                                             HeadContent content) {
  const int64_t b = node.block, dim = problem.headDim;
  const int64_t lk = problem.keyLength, lq = problem.queryLength;
  std::vector<std::vector<double>> pooledKeys;
  for (int64_t c = 0; c < numKeyBlocks(problem, b); ++c)
    pooledKeys.push_back(meanRows(content.k, c * b, std::min(lk, (c + 1) * b), dim));

  const int64_t first = firstQueryBlock(problem, b);
  const int64_t shift = lk - lq; // row i sits at position i + shift
  std::vector<std::vector<double>> scores(numQueryBlocks(problem, b));
  for (size_t qi = 0; qi < scores.size(); ++qi) {
    int64_t qb = first + static_cast<int64_t>(qi);
    int64_t rowBegin = std::max<int64_t>(0, qb * b - shift);
    int64_t rowEnd = std::min(lq, (qb + 1) * b - shift);
    std::vector<double> pooledQuery = meanRows(content.q, rowBegin, rowEnd, dim);
    const int64_t last = lastCandidateBlock(problem, qb, b);
    for (int64_t c = 0; c <= last; ++c) {
      double dot = 0.0;
      for (int64_t d = 0; d < dim; ++d)
        dot += pooledQuery[d] * pooledKeys[c][d];
      scores[qi].push_back(problem.effectiveScale() * dot);
    }
  }
  return scores;
}

} // namespace

HeadContent headContent(const AttentionProblem &problem, const float *q,
                        const float *k, int64_t batch, int64_t head) {
  const int64_t dim = problem.headDim;
  HeadContent content;
  content.q = q + ((batch * problem.numQHeads + head) * problem.queryLength) * dim;
  content.k = k + ((batch * problem.numKVHeads + problem.kvHeadOf(head)) *
                   problem.keyLength) * dim;
  return content;
}

int64_t queryBlockOf(const AttentionProblem &problem, int64_t i, int64_t block) {
  requireBlock(block);
  return floorDiv(problem.queryPosition(i), block);
}

int64_t firstQueryBlock(const AttentionProblem &problem, int64_t block) {
  return queryBlockOf(problem, 0, block);
}

int64_t numQueryBlocks(const AttentionProblem &problem, int64_t block) {
  if (problem.queryLength <= 0)
    return 0;
  return queryBlockOf(problem, problem.queryLength - 1, block) -
         firstQueryBlock(problem, block) + 1;
}

int64_t numKeyBlocks(const AttentionProblem &problem, int64_t block) {
  requireBlock(block);
  return (problem.keyLength + block - 1) / block;
}

std::vector<std::vector<int64_t>>
selectRandomBlocks(const Pattern &node, const AttentionProblem &problem,
                   int64_t head) {
  const int64_t first = firstQueryBlock(problem, node.block);
  std::vector<std::vector<int64_t>> selected(numQueryBlocks(problem, node.block));
  for (size_t qi = 0; qi < selected.size(); ++qi) {
    int64_t qb = first + static_cast<int64_t>(qi);
    // Smallest hash first; pairs break equal hashes by the lower block.
    std::vector<std::pair<uint64_t, int64_t>> ranked;
    const int64_t last = lastCandidateBlock(problem, qb, node.block);
    for (int64_t c = 0; c <= last; ++c)
      ranked.emplace_back(core::randomBlockHash(node.seed, head, qb, c), c);
    size_t keep = std::min(ranked.size(),
                           static_cast<size_t>(std::max<int64_t>(node.count, 0)));
    std::partial_sort(ranked.begin(), ranked.begin() + keep, ranked.end());
    for (size_t r = 0; r < keep; ++r)
      selected[qi].push_back(ranked[r].second);
    std::sort(selected[qi].begin(), selected[qi].end());
  }
  return selected;
}

std::vector<std::vector<int64_t>>
selectTopkBlocks(const Pattern &node, const AttentionProblem &problem,
                 HeadContent content) {
  requireContent(content, "topk_blocks");
  std::vector<std::vector<int64_t>> selected;
  for (const std::vector<double> &scores : blockScores(node, problem, content))
    selected.push_back(topIndices(scores, node.count));
  return selected;
}

std::vector<std::vector<int64_t>>
selectMassBlocks(const Pattern &node, const AttentionProblem &problem,
                 HeadContent content) {
  requireContent(content, "mass");
  const int64_t b = node.block, lk = problem.keyLength;
  std::vector<std::vector<int64_t>> selected;
  for (const std::vector<double> &scores : blockScores(node, problem, content)) {
    std::vector<double> mass(scores.size());
    double maxScore = scores.empty() ? 0.0 : *std::max_element(scores.begin(), scores.end());
    double total = 0.0;
    for (size_t c = 0; c < scores.size(); ++c) {
      int64_t present = std::min(lk, static_cast<int64_t>(c + 1) * b) -
                        static_cast<int64_t>(c) * b;
      // Shifting by the max score cancels in the normalization.
      mass[c] = present * std::exp(scores[c] - maxScore);
      total += mass[c];
    }
    for (double &m : mass)
      m /= total;
    // The full ranking gives the prefix order; keep the shortest prefix.
    std::vector<int64_t> order(mass.size());
    std::iota(order.begin(), order.end(), int64_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](int64_t x, int64_t y) { return mass[x] > mass[y]; });
    std::vector<int64_t> kept;
    double cumulative = 0.0;
    for (int64_t c : order) {
      if (static_cast<int64_t>(kept.size()) >= node.count || cumulative >= node.gamma)
        break;
      kept.push_back(c);
      cumulative += mass[c];
    }
    std::sort(kept.begin(), kept.end());
    selected.push_back(std::move(kept));
  }
  return selected;
}

/// <a, b> in fp64 with four interleaved partial sums, in a fixed order: the
/// estimation reads every key for each of its rows, and one serial chain of
/// dependent adds made that the slowest part of a 128K-token summary.
static double dotProduct(const float *a, const float *b, int64_t n) {
  double partial[4] = {0.0, 0.0, 0.0, 0.0};
  int64_t d = 0;
  for (; d + 4 <= n; d += 4)
    for (int lane = 0; lane < 4; ++lane)
      partial[lane] += static_cast<double>(a[d + lane]) * b[d + lane];
  for (; d < n; ++d)
    partial[0] += static_cast<double>(a[d]) * b[d];
  return (partial[0] + partial[1]) + (partial[2] + partial[3]);
}

VerticalSlashSelection selectVerticalSlash(const Pattern &node,
                                           const AttentionProblem &problem,
                                           HeadContent content) {
  requireContent(content, "vertical_slash");
  const int64_t lq = problem.queryLength, lk = problem.keyLength;
  const int64_t dim = problem.headDim;
  if (lk <= 0)
    return {};
  // Offset d is stored at d + (lk - 1) so that -Lk < d < Lk fits.
  std::vector<double> columnScore(lk, 0.0), offsetScore(2 * lk - 1, 0.0);
  std::vector<double> prob(lk);
  const int64_t rows = std::min(std::max<int64_t>(node.lastQueries, 0), lq);
  for (int64_t i = lq - rows; i < lq; ++i) {
    const int64_t pos = problem.queryPosition(i);
    const int64_t last = problem.causal ? pos : lk - 1;
    if (last < 0)
      continue;
    double maxScore = -std::numeric_limits<double>::infinity();
    for (int64_t j = 0; j <= last; ++j) {
      prob[j] = problem.effectiveScale() *
                dotProduct(content.q + i * dim, content.k + j * dim, dim);
      maxScore = std::max(maxScore, prob[j]);
    }
    double total = 0.0;
    for (int64_t j = 0; j <= last; ++j) {
      prob[j] = std::exp(prob[j] - maxScore);
      total += prob[j];
    }
    for (int64_t j = 0; j <= last; ++j) {
      columnScore[j] += prob[j] / total;
      // d <= -Lk (only when Lq > Lk) is not a candidate offset.
      if (pos - j > -lk)
        offsetScore[pos - j + lk - 1] += prob[j] / total;
    }
  }
  VerticalSlashSelection selection;
  selection.columns = topIndices(columnScore, node.verticals);
  // Under causal only offsets 0 <= d < Lk are candidates.
  const int64_t firstOffset = problem.causal ? 0 : -(lk - 1);
  std::vector<double> candidates(offsetScore.begin() + (firstOffset + lk - 1),
                                 offsetScore.end());
  for (int64_t index : topIndices(candidates, node.slashes))
    selection.offsets.push_back(index + firstOffset);
  return selection;
}

PageSelector::PageSelector(const Pattern &node, const AttentionProblem &problem,
                           HeadContent content)
    : problem(problem), count(node.count), page(node.block),
      numPages(numKeyBlocks(problem, node.block)), q(content.q) {
  requireContent(content, "pages");
  const int64_t dim = problem.headDim, lk = problem.keyLength;
  lo.assign(numPages * dim, std::numeric_limits<float>::infinity());
  hi.assign(numPages * dim, -std::numeric_limits<float>::infinity());
  for (int64_t j = 0; j < lk; ++j)
    for (int64_t d = 0; d < dim; ++d) {
      float x = content.k[j * dim + d];
      int64_t at = (j / page) * dim + d;
      lo[at] = std::min(lo[at], x);
      hi[at] = std::max(hi[at], x);
    }
}

std::vector<int64_t> PageSelector::select(int64_t i) const {
  const int64_t dim = problem.headDim;
  // Under causal the candidates are the pages starting at or before p(i).
  const int64_t last =
      problem.causal ? floorDiv(problem.queryPosition(i), page) : numPages - 1;
  std::vector<double> bound(std::max<int64_t>(last + 1, 0), 0.0);
  for (int64_t c = 0; c <= last; ++c)
    for (int64_t d = 0; d < dim; ++d) {
      double x = q[i * dim + d];
      bound[c] += std::max(x * lo[c * dim + d], x * hi[c * dim + d]);
    }
  return topIndices(bound, count);
}

std::vector<std::vector<int64_t>> selectPages(const Pattern &node,
                                              const AttentionProblem &problem,
                                              HeadContent content) {
  PageSelector selector(node, problem, content);
  std::vector<std::vector<int64_t>> selected;
  for (int64_t i = 0; i < problem.queryLength; ++i)
    selected.push_back(selector.select(i));
  return selected;
}

} // namespace spattn::ref
