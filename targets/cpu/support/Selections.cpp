//===- Selections.cpp - Selection stages inside a CPU library -------------===//
//
// float32 versions of the selections of docs/semantics.md that follow
// Reference/Selection.cpp step by step, so that well-separated scores choose
// the same indices. Block pooling keeps sums and folds the 1/count of both
// means into the score's factor (one pass over the rows, no divisions per
// element); dot products use eight partial sums so they vectorize. Every
// ranking goes through one top-k helper: higher score first, ties to the
// lower index.
//
//===----------------------------------------------------------------------===//
#include "targets/cpu/support/Selections.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <utility>

namespace spattn::cpu {
namespace {

// Positions are negative only when Lq > Lk; floor keeps blocks consistent.
int64_t blockOf(int64_t position, int64_t block) {
  int64_t q = position / block;
  return (position % block != 0 && position < 0) ? q - 1 : q;
}

void startGroups(Selection &out, int64_t firstGroup) {
  out.firstGroup = firstGroup;
  out.offsets.assign(1, 0);
  out.indices.clear();
}

void closeGroup(Selection &out) {
  out.offsets.push_back(static_cast<int64_t>(out.indices.size()));
}

/// A candidate and its score; NaN scores rank as -inf so the order is strict.
struct Ranked {
  double score;
  int64_t index;
};

Ranked ranked(double score, int64_t index) {
  return {std::isnan(score) ? -std::numeric_limits<double>::infinity() : score,
          index};
}

bool ranksBefore(const Ranked &a, const Ranked &b) {
  return a.score != b.score ? a.score > b.score : a.index < b.index;
}

/// Appends the `count` best candidates as one group, sorted ascending.
void appendTop(std::vector<Ranked> &candidates, int64_t count,
               Selection &out) {
  size_t keep = std::min(candidates.size(),
                         static_cast<size_t>(std::max<int64_t>(count, 0)));
  if (keep > 0 && keep < candidates.size())
    std::nth_element(candidates.begin(), candidates.begin() + keep,
                     candidates.end(), ranksBefore);
  size_t start = out.indices.size();
  for (size_t r = 0; r < keep; ++r)
    out.indices.push_back(candidates[r].index);
  std::sort(out.indices.begin() + start, out.indices.end());
  closeGroup(out);
}

constexpr int kLanes = 8;

/// <a, b> over n floats with kLanes partial sums (vectorizable).
float dot(const float *a, const float *b, int64_t n) {
  float acc[kLanes] = {};
  int64_t d = 0;
  for (; d + kLanes <= n; d += kLanes)
    for (int l = 0; l < kLanes; ++l)
      acc[l] += a[d + l] * b[d + l];
  for (; d < n; ++d)
    acc[0] += a[d] * b[d];
  float total = 0.0f;
  for (int l = 0; l < kLanes; ++l)
    total += acc[l];
  return total;
}

/// <rows[r], key> for four rows, sharing the key's loads.
void dot4(const float *const rows[4], const float *key, int64_t n,
          float out[4]) {
  float acc[4][kLanes] = {};
  int64_t d = 0;
  for (; d + kLanes <= n; d += kLanes)
    for (int r = 0; r < 4; ++r)
      for (int l = 0; l < kLanes; ++l)
        acc[r][l] += rows[r][d + l] * key[d + l];
  for (int r = 0; r < 4; ++r) {
    for (int64_t t = d; t < n; ++t)
      acc[r][0] += rows[r][t] * key[t];
    out[r] = 0.0f;
    for (int l = 0; l < kLanes; ++l)
      out[r] += acc[r][l];
  }
}

/// The absolute block grid of a call: query group g is absolute query block
/// firstQuery + g and covers rows [g * block - lead, (g + 1) * block - lead).
struct BlockGrid {
  int64_t block, queryLength, keyLength;
  int64_t firstQuery, numQuery, numKey, lead;
  bool causal;

  BlockGrid(const SelectionCall &call, int64_t block)
      : block(block), queryLength(call.queryLength),
        keyLength(call.keyLength), causal(call.causal) {
    assert(block >= 1 && "block sizes are verified to be >= 1");
    const int64_t shift = keyLength - queryLength; // p(i) = i + shift
    firstQuery = blockOf(shift, block);
    numQuery = queryLength > 0
                   ? blockOf(shift + queryLength - 1, block) - firstQuery + 1
                   : 0;
    numKey = (keyLength + block - 1) / block;
    lead = shift - firstQuery * block;
  }

  /// Last candidate key block of group g (negative: none). Under causal
  /// p(i) < Lk makes the diagonal block a present key block.
  int64_t lastCandidate(int64_t g) const {
    return causal ? firstQuery + g : numKey - 1;
  }
};

/// Sums and counts of the present rows of `groups` blocks of `block` rows,
/// the first starting at row -lead.
struct PooledRows {
  std::vector<float> sums; // [groups, dim]
  std::vector<int64_t> counts;

  PooledRows(HeadRows x, int64_t rows, int64_t block, int64_t lead,
             int64_t groups)
      : sums(groups * x.dim, 0.0f), counts(groups, 0) {
    for (int64_t g = 0; g < groups; ++g) {
      int64_t begin = std::max<int64_t>(0, g * block - lead);
      int64_t end = std::min(rows, (g + 1) * block - lead);
      float *sum = sums.data() + g * x.dim;
      for (int64_t r = begin; r < end; ++r) {
        const float *row = x.row(r);
        for (int64_t d = 0; d < x.dim; ++d)
          sum[d] += row[d];
      }
      counts[g] = std::max<int64_t>(end - begin, 0);
    }
  }

  const float *sum(int64_t g, int64_t dim) const {
    return sums.data() + g * dim;
  }
};

/// The pooled-block scores s(q, c) = scale * <mean q, mean key c> shared by
/// topk_blocks and mass.
class BlockScores {
public:
  BlockScores(const SelectionCall &call, HeadRows q, HeadRows k,
              int64_t block)
      : grid(call, block), scale(call.scale), dim(q.dim),
        queries(q, call.queryLength, block, grid.lead, grid.numQuery),
        keys(k, call.keyLength, block, 0, grid.numKey) {}

  const BlockGrid grid;

  /// Scores of group g's candidate blocks 0 ... lastCandidate(g).
  void score(int64_t g, std::vector<Ranked> &out) const {
    out.clear();
    const float *query = queries.sum(g, dim);
    const float queryFactor = scale / static_cast<float>(queries.counts[g]);
    for (int64_t c = 0; c <= grid.lastCandidate(g); ++c) {
      float factor = queryFactor / static_cast<float>(keys.counts[c]);
      out.push_back(ranked(factor * dot(query, keys.sum(c, dim), dim), c));
    }
  }

  int64_t presentKeys(int64_t c) const { return keys.counts[c]; }

private:
  float scale;
  int64_t dim;
  PooledRows queries, keys;
};

/// counter-based PRNG of random_blocks (semantics.md), as on every target.
uint64_t mix(uint64_t x) {
  uint64_t z = x + 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint64_t randomBlockHash(uint64_t seed, uint64_t head, uint64_t queryBlock,
                         uint64_t keyBlock) {
  return mix(mix(mix(mix(seed) ^ head) ^ queryBlock) ^ keyBlock);
}

/// Keeps the shortest prefix of the mass ranking reaching gamma (at most
/// maxBlocks), exactly as the reference does in double.
void appendMassPrefix(const BlockScores &scores, std::vector<Ranked> &cands,
                      int64_t maxBlocks, double gamma, Selection &out) {
  double maxScore = -std::numeric_limits<double>::infinity();
  for (const Ranked &c : cands)
    maxScore = std::max(maxScore, c.score);
  double total = 0.0;
  for (Ranked &c : cands) {
    // Shifting by the max score cancels in the normalization.
    c.score = scores.presentKeys(c.index) * std::exp(c.score - maxScore);
    c.score = std::isnan(c.score) ? 0.0 : c.score;
    total += c.score;
  }
  // All masses are 0 only for non-finite scores; no block then reaches gamma.
  if (total > 0.0)
    for (Ranked &c : cands)
      c.score /= total;
  size_t ranks = std::min(cands.size(),
                          static_cast<size_t>(std::max<int64_t>(maxBlocks, 0)));
  std::partial_sort(cands.begin(), cands.begin() + ranks, cands.end(),
                    ranksBefore);
  size_t start = out.indices.size();
  double cumulative = 0.0;
  for (size_t r = 0; r < ranks && !(cumulative >= gamma); ++r) {
    out.indices.push_back(cands[r].index);
    cumulative += cands[r].score;
  }
  std::sort(out.indices.begin() + start, out.indices.end());
  closeGroup(out);
}

/// Column and diagonal scores of vertical_slash, accumulated in double.
/// Offset d is stored at d + Lk - 1 so that -Lk < d < Lk fits.
struct SlashEstimate {
  std::vector<double> columns, offsets;
};

/// Adds one estimation row's softmax over keys 0 ... last.
void addSoftmaxRow(const float *scores, int64_t last, int64_t position,
                   int64_t keyLength, std::vector<double> &prob,
                   SlashEstimate &estimate) {
  float maxScore = -std::numeric_limits<float>::infinity();
  for (int64_t j = 0; j <= last; ++j)
    maxScore = std::max(maxScore, scores[j]);
  double total = 0.0;
  for (int64_t j = 0; j <= last; ++j) {
    prob[j] = std::exp(static_cast<double>(scores[j]) - maxScore);
    total += prob[j];
  }
  for (int64_t j = 0; j <= last; ++j) {
    double p = prob[j] / total;
    estimate.columns[j] += p;
    // d <= -Lk (only when Lq > Lk) is not a candidate offset.
    if (position - j > -keyLength)
      estimate.offsets[position - j + keyLength - 1] += p;
  }
}

SlashEstimate estimateVerticalSlash(const SelectionCall &call, HeadRows q,
                                    HeadRows k, int64_t lastQueries) {
  const int64_t lq = call.queryLength, lk = call.keyLength;
  SlashEstimate estimate{std::vector<double>(lk, 0.0),
                         std::vector<double>(2 * lk - 1, 0.0)};
  const int64_t firstRow = lq - std::min(std::max<int64_t>(lastQueries, 0), lq);
  auto lastKey = [&](int64_t i) {
    return call.causal ? i + lk - lq : lk - 1;
  };
  std::vector<float> scores(4 * lk);
  std::vector<double> prob(lk);
  // Four rows at a time share each key's loads; a short last group repeats
  // its final row.
  for (int64_t i0 = firstRow; i0 < lq; i0 += 4) {
    const int64_t rows = std::min<int64_t>(4, lq - i0);
    const float *rowData[4];
    for (int r = 0; r < 4; ++r)
      rowData[r] = q.row(i0 + std::min<int64_t>(r, rows - 1));
    const int64_t last = lastKey(i0 + rows - 1);
    for (int64_t j = 0; j <= last; ++j) {
      float dots[4];
      dot4(rowData, k.row(j), q.dim, dots);
      for (int r = 0; r < 4; ++r)
        scores[r * lk + j] = call.scale * dots[r];
    }
    for (int64_t r = 0; r < rows; ++r)
      if (lastKey(i0 + r) >= 0)
        addSoftmaxRow(scores.data() + r * lk, lastKey(i0 + r),
                      i0 + r + lk - lq, lk, prob, estimate);
  }
  return estimate;
}

} // namespace

void selectTopkBlocks(const SelectionCall &call, HeadRows q, HeadRows k,
                      int64_t block, int64_t count, Selection &out) {
  BlockScores scores(call, q, k, block);
  startGroups(out, scores.grid.firstQuery);
  std::vector<Ranked> candidates;
  for (int64_t g = 0; g < scores.grid.numQuery; ++g) {
    scores.score(g, candidates);
    appendTop(candidates, count, out);
  }
}

void selectMassBlocks(const SelectionCall &call, HeadRows q, HeadRows k,
                      int64_t block, int64_t maxBlocks, double gamma,
                      Selection &out) {
  BlockScores scores(call, q, k, block);
  startGroups(out, scores.grid.firstQuery);
  std::vector<Ranked> candidates;
  for (int64_t g = 0; g < scores.grid.numQuery; ++g) {
    scores.score(g, candidates);
    appendMassPrefix(scores, candidates, maxBlocks, gamma, out);
  }
}

void selectRandomBlocks(const SelectionCall &call, int64_t block,
                        int64_t count, uint64_t seed, Selection &out) {
  const BlockGrid grid(call, block);
  startGroups(out, grid.firstQuery);
  // Smallest hash first; pairs break equal hashes by the lower block.
  std::vector<std::pair<uint64_t, int64_t>> ranking;
  for (int64_t g = 0; g < grid.numQuery; ++g) {
    const int64_t qb = grid.firstQuery + g;
    ranking.clear();
    for (int64_t c = 0; c <= grid.lastCandidate(g); ++c)
      ranking.emplace_back(randomBlockHash(seed, call.head, qb, c), c);
    size_t keep = std::min(ranking.size(),
                           static_cast<size_t>(std::max<int64_t>(count, 0)));
    if (keep > 0 && keep < ranking.size())
      std::nth_element(ranking.begin(), ranking.begin() + keep, ranking.end());
    size_t start = out.indices.size();
    for (size_t r = 0; r < keep; ++r)
      out.indices.push_back(ranking[r].second);
    std::sort(out.indices.begin() + start, out.indices.end());
    closeGroup(out);
  }
}

void selectPages(const SelectionCall &call, HeadRows q, HeadRows k,
                 int64_t page, int64_t count, Selection &out) {
  assert(page >= 1 && "page sizes are verified to be >= 1");
  const int64_t dim = q.dim, lk = call.keyLength;
  const int64_t numPages = (lk + page - 1) / page;
  // Per-page, per-dimension bounds over the present keys.
  std::vector<float> lo(numPages * dim, std::numeric_limits<float>::infinity());
  std::vector<float> hi(numPages * dim, -std::numeric_limits<float>::infinity());
  for (int64_t c = 0; c < numPages; ++c) {
    float *pageLo = lo.data() + c * dim, *pageHi = hi.data() + c * dim;
    for (int64_t j = c * page; j < std::min(lk, (c + 1) * page); ++j) {
      const float *key = k.row(j);
      for (int64_t d = 0; d < dim; ++d) {
        pageLo[d] = std::min(pageLo[d], key[d]);
        pageHi[d] = std::max(pageHi[d], key[d]);
      }
    }
  }
  startGroups(out, 0);
  std::vector<Ranked> candidates;
  for (int64_t i = 0; i < call.queryLength; ++i) {
    const float *query = q.row(i);
    const int64_t position = lk - call.queryLength + i;
    // Under causal the candidates are the pages starting at or before p(i).
    const int64_t last = call.causal ? blockOf(position, page) : numPages - 1;
    candidates.clear();
    for (int64_t c = 0; c <= last; ++c) {
      const float *pageLo = lo.data() + c * dim, *pageHi = hi.data() + c * dim;
      float acc[kLanes] = {};
      int64_t d = 0;
      for (; d + kLanes <= dim; d += kLanes)
        for (int l = 0; l < kLanes; ++l)
          acc[l] += std::max(query[d + l] * pageLo[d + l],
                             query[d + l] * pageHi[d + l]);
      for (; d < dim; ++d)
        acc[0] += std::max(query[d] * pageLo[d], query[d] * pageHi[d]);
      float bound = 0.0f;
      for (int l = 0; l < kLanes; ++l)
        bound += acc[l];
      candidates.push_back(ranked(bound, c));
    }
    appendTop(candidates, count, out);
  }
}

void selectVerticalSlash(const SelectionCall &call, HeadRows q, HeadRows k,
                         int64_t verticals, int64_t slashes,
                         int64_t lastQueries, Selection &out) {
  const int64_t lk = call.keyLength;
  startGroups(out, 0);
  if (lk <= 0) {
    closeGroup(out);
    closeGroup(out);
    return;
  }
  SlashEstimate estimate = estimateVerticalSlash(call, q, k, lastQueries);
  std::vector<Ranked> candidates;
  candidates.reserve(estimate.offsets.size());
  for (int64_t j = 0; j < lk; ++j)
    candidates.push_back(ranked(estimate.columns[j], j));
  appendTop(candidates, verticals, out);
  // Under causal only offsets 0 <= d < Lk are candidates.
  candidates.clear();
  for (int64_t d = call.causal ? 0 : 1 - lk; d < lk; ++d)
    candidates.push_back(ranked(estimate.offsets[d + lk - 1], d));
  appendTop(candidates, slashes, out);
}

} // namespace spattn::cpu
