//===- HostSelections.cpp - Selection stages on the host, in every library ===//
//
// float32 versions of the selections of docs/semantics.md, following
// reference/Selection.cpp step by step so that well-separated scores choose
// the same indices. Block pooling keeps sums (one pass over the rows) and
// folds the 1/count of both means into the score's factor. The vertical_slash
// estimation runs over chunks of keys laid out [dim][chunk], so each row's
// products fill vector lanes without horizontal sums. Pages score from
// bounds rows [page][min, max] (the layout callers keep them in), several
// query rows per bounds row. Softmax, mass and the estimated column and
// diagonal sums are accumulated in double. Rankings keep the higher score,
// ties to the lower index.
//
//===----------------------------------------------------------------------===//
#include "spattn/host_selections.hpp"

#include "core/LaneDot.h"

#include "core/RandomBlockHash.h"
#include "runtime/TopThreshold.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <functional>
#include <limits>
#include <utility>

namespace spattn::host {
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

/// Appends, as one ascending group, first + i for the `count` highest
/// scores[i] (ties: lower i): one scan in index order keeps what is above
/// the count-th highest score, and of the scores equal to it the lowest
/// indices.
template <typename T>
void appendTop(const T *scores, int64_t n, int64_t first, int64_t count,
               TopScratch<T> &scratch, Selection &out) {
  const int64_t keep = std::clamp<int64_t>(count, 0, n);
  if (keep == n) {
    for (int64_t i = 0; i < n; ++i)
      out.indices.push_back(first + i);
  } else if (keep > 0) {
    const auto [threshold, above] = topThreshold(scores, n, keep, scratch);
    int64_t ties = keep - above;
    for (int64_t i = 0; i < n; ++i) {
      const T s = rankable(scores[i]);
      if (s > threshold || (s == threshold && ties-- > 0))
        out.indices.push_back(first + i);
    }
  }
  closeGroup(out);
}

#if defined(__x86_64__)
/// Whether the CPU runs the AVX2 versions of the loops below (asked once).
bool hasAvx2() {
  static const bool avx2 = __builtin_cpu_supports("avx2");
  return avx2;
}
#endif

constexpr int64_t kKeyChunk = 32;

/// out[r * stride + j] = scale * <rows[r], key j> for keys [0, keys). Keys go
/// kKeyChunk at a time through a transposed copy (`chunk`, dim * kKeyChunk
/// floats), so each row's products run across keys in vector lanes with no
/// horizontal sums.
inline __attribute__((always_inline)) void
scoreKeysBody(const float *const *rows, int64_t numRows, HeadRows k, int64_t keys,
              float scale, float *chunk, float *out, int64_t stride) {
  const int64_t dim = k.dim;
  for (int64_t j0 = 0; j0 < keys; j0 += kKeyChunk) {
    const int64_t width = std::min(kKeyChunk, keys - j0);
    // A short last chunk repeats its last key; those scores are dropped.
    for (int64_t jj = 0; jj < kKeyChunk; ++jj) {
      const float *key = k.row(j0 + std::min(jj, width - 1));
      for (int64_t d = 0; d < dim; ++d)
        chunk[d * kKeyChunk + jj] = key[d];
    }
    for (int64_t r = 0; r < numRows; ++r) {
      float acc[kKeyChunk] = {};
      for (int64_t d = 0; d < dim; ++d)
        for (int64_t jj = 0; jj < kKeyChunk; ++jj)
          acc[jj] += rows[r][d] * chunk[d * kKeyChunk + jj];
      for (int64_t jj = 0; jj < width; ++jj)
        out[r * stride + j0 + jj] = scale * acc[jj];
    }
  }
}

void scoreKeysBaseline(const float *const *rows, int64_t numRows, HeadRows k,
                       int64_t keys, float scale, float *chunk, float *out,
                       int64_t stride) {
  scoreKeysBody(rows, numRows, k, keys, scale, chunk, out, stride);
}

#if defined(__x86_64__)
// Each key's sum runs in its own lane, in d order, in both versions: the
// same scores, so the same selections, on every CPU. No FMA (a fused
// multiply-add would round differently).
__attribute__((target("avx2"))) void
scoreKeysAvx2(const float *const *rows, int64_t numRows, HeadRows k, int64_t keys,
              float scale, float *chunk, float *out, int64_t stride) {
  scoreKeysBody(rows, numRows, k, keys, scale, chunk, out, stride);
}
#endif

/// Scores with the widest version the CPU runs.
void scoreKeys(const float *const *rows, int64_t numRows, HeadRows k, int64_t keys,
               float scale, std::vector<float> &chunk, float *out, int64_t stride) {
  chunk.resize(k.dim * kKeyChunk);
#if defined(__x86_64__)
  if (hasAvx2())
    return scoreKeysAvx2(rows, numRows, k, keys, scale, chunk.data(), out, stride);
#endif
  scoreKeysBaseline(rows, numRows, k, keys, scale, chunk.data(), out, stride);
}

/// The absolute block grid of a call: query group g is absolute query block
/// firstQuery + g and covers rows [g * block - lead, (g + 1) * block - lead).
struct BlockGrid {
  int64_t firstQuery, numQuery, numKey, lead;
  bool causal;

  BlockGrid(const SelectionCall &call, int64_t block) : causal(call.causal) {
    assert(block >= 1 && "block sizes are verified to be >= 1");
    const int64_t lq = call.queryLength, lk = call.keyLength;
    const int64_t shift = lk - lq; // p(i) = i + shift
    firstQuery = blockOf(shift, block);
    numQuery = lq > 0 ? blockOf(shift + lq - 1, block) - firstQuery + 1 : 0;
    numKey = (lk + block - 1) / block;
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
  BlockScores(const SelectionCall &call, HeadRows q, HeadRows k, int64_t block)
      : grid(call, block), scale(call.scale), dim(q.dim),
        queries(q, call.queryLength, block, grid.lead, grid.numQuery),
        keys(k, call.keyLength, block, 0, grid.numKey) {}

  const BlockGrid grid;

  /// Scores of group g's candidate blocks 0 ... lastCandidate(g).
  void score(int64_t g, std::vector<float> &out) const {
    out.resize(std::max<int64_t>(grid.lastCandidate(g) + 1, 0));
    const float *query = queries.sum(g, dim);
    const float queryFactor = scale / static_cast<float>(queries.counts[g]);
    for (size_t c = 0; c < out.size(); ++c) {
      float factor = queryFactor / static_cast<float>(keys.counts[c]);
      out[c] = factor * core::laneDot(query, keys.sum(c, dim), dim);
    }
  }

  int64_t presentKeys(int64_t c) const { return keys.counts[c]; }

private:
  float scale;
  int64_t dim;
  PooledRows queries, keys;
};

struct BlockMass {
  double mass;
  int64_t block;
};

/// Keeps the shortest prefix of the mass ranking (higher first, ties to the
/// lower block) that reaches gamma, at most maxBlocks, in double and in the
/// reference's order of operations, so the stop agrees with it exactly on
/// equal masses (e.g. gamma = 1 stops once the rest rounds away).
void appendMassPrefix(const BlockScores &blocks,
                      const std::vector<float> &scores, int64_t maxBlocks,
                      double gamma, std::vector<BlockMass> &ranking,
                      Selection &out) {
  double maxScore = -std::numeric_limits<double>::infinity();
  for (float s : scores)
    maxScore = std::max<double>(maxScore, s);
  ranking.clear();
  double total = 0.0;
  for (size_t c = 0; c < scores.size(); ++c) {
    // Shifting by the max score cancels in the normalization; non-finite
    // scores get no mass.
    double mass = blocks.presentKeys(c) * std::exp(scores[c] - maxScore);
    ranking.push_back({std::isnan(mass) ? 0.0 : mass, static_cast<int64_t>(c)});
    total += ranking.back().mass;
  }
  if (total > 0.0)
    for (BlockMass &b : ranking)
      b.mass /= total;
  const size_t ranks = std::min(
      ranking.size(), static_cast<size_t>(std::max<int64_t>(maxBlocks, 0)));
  std::partial_sort(ranking.begin(), ranking.begin() + ranks, ranking.end(),
                    [](const BlockMass &a, const BlockMass &b) {
                      return a.mass != b.mass ? a.mass > b.mass
                                              : a.block < b.block;
                    });
  const size_t start = out.indices.size();
  double cumulative = 0.0;
  for (size_t r = 0; r < ranks && !(cumulative >= gamma); ++r) {
    out.indices.push_back(ranking[r].block);
    cumulative += ranking[r].mass;
  }
  std::sort(out.indices.begin() + start, out.indices.end());
  closeGroup(out);
}

/// The upper bound of <query, key> over one page's keys from its bounds row
/// (minima, then maxima): sum_d max(q_d lo_d, q_d hi_d), summed as
/// core::laneSum does. The one scoring of pages, so the caller's
/// bounds and bounds computed here from K choose the same pages.
inline __attribute__((always_inline)) float
pageScore(const float *query, const float *bounds, int64_t dim) {
  const float *lo = bounds, *hi = bounds + dim;
  return core::laneSum(dim, [&](int64_t d) {
    return std::max(query[d] * lo[d], query[d] * hi[d]);
  });
}

/// A group of query rows scored against pages: scores[r * scoreStride + p]
/// for p < pages[r], each bounds row read (and, when 16-bit, widened into
/// `widened`, 2 * dim floats) once for the whole group.
struct PageScoring {
  const float *const *query;
  const int64_t *pages;
  int64_t group, mostPages, dim;
  StoredRows bounds;
  float *widened;
  float *scores;
  int64_t scoreStride;
};

inline __attribute__((always_inline)) void scorePagesBody(const PageScoring &s) {
  for (int64_t p = 0; p < s.mostPages; ++p) {
    const float *bounds = s.bounds.floatRow(p, s.widened);
    for (int64_t r = 0; r < s.group; ++r)
      if (p < s.pages[r])
        s.scores[r * s.scoreStride + p] = pageScore(s.query[r], bounds, s.dim);
  }
}

void scorePagesBaseline(const PageScoring &s) { scorePagesBody(s); }

#if defined(__x86_64__)
// laneSum's 8 lanes fill one AVX2 register (SSE needs two, and twice the
// instructions), and lane by lane the operations are the same, so both
// versions give the same scores (a NaN's sign aside: no ranking sees it).
// No FMA: nothing here multiplies and adds.
__attribute__((target("avx2"))) void scorePagesAvx2(const PageScoring &s) {
  scorePagesBody(s);
}
#endif

/// Scores with the widest version the CPU runs (a decode step with kept
/// bounds spent a tenth of its time here with SSE).
void scorePages(const PageScoring &s) {
#if defined(__x86_64__)
  if (hasAvx2())
    return scorePagesAvx2(s);
#endif
  scorePagesBaseline(s);
}

/// The page bounds of k, computed into this thread's buffer: reused, so a
/// decode step does not fault in fresh memory on every call.
StoredRows computedPageBounds(StoredRows k, int64_t page, int64_t numPages) {
  static thread_local std::vector<float> rows;
  const int64_t width = 2 * k.dim;
  rows.resize(numPages * width);
  updatePageBounds(k, page, 0, {rows.data(), SPATTN_F32, width});
  return HeadRows{rows.data(), numPages, width, width};
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
  auto lastKey = [&](int64_t i) { return call.causal ? i + lk - lq : lk - 1; };
  constexpr int64_t kRowGroup = 16;
  std::vector<float> scores(kRowGroup * lk), chunk;
  std::vector<double> prob(lk);
  // Row groups share each transposed key chunk.
  for (int64_t i0 = firstRow; i0 < lq; i0 += kRowGroup) {
    const int64_t rows = std::min(kRowGroup, lq - i0);
    const float *rowData[kRowGroup];
    for (int64_t r = 0; r < rows; ++r)
      rowData[r] = q.row(i0 + r);
    scoreKeys(rowData, rows, k, lastKey(i0 + rows - 1) + 1, call.scale, chunk,
              scores.data(), lk);
    for (int64_t r = 0; r < rows; ++r)
      if (lastKey(i0 + r) >= 0)
        addSoftmaxRow(scores.data() + r * lk, lastKey(i0 + r), i0 + r + lk - lq,
                      lk, prob, estimate);
  }
  return estimate;
}

} // namespace

void selectTopkBlocks(const SelectionCall &call, HeadRows q, HeadRows k,
                      int64_t block, int64_t count, Selection &out) {
  const BlockScores blocks(call, q, k, block);
  startGroups(out, blocks.grid.firstQuery);
  std::vector<float> scores;
  TopScratch<float> scratch;
  for (int64_t g = 0; g < blocks.grid.numQuery; ++g) {
    blocks.score(g, scores);
    appendTop(scores.data(), static_cast<int64_t>(scores.size()), 0, count,
              scratch, out);
  }
}

void selectMassBlocks(const SelectionCall &call, HeadRows q, HeadRows k,
                      int64_t block, int64_t maxBlocks, double gamma,
                      Selection &out) {
  const BlockScores blocks(call, q, k, block);
  startGroups(out, blocks.grid.firstQuery);
  std::vector<float> scores;
  std::vector<BlockMass> ranking;
  for (int64_t g = 0; g < blocks.grid.numQuery; ++g) {
    blocks.score(g, scores);
    appendMassPrefix(blocks, scores, maxBlocks, gamma, ranking, out);
  }
}

void selectRandomBlocks(const SelectionCall &call, int64_t block, int64_t count,
                        uint64_t seed, Selection &out) {
  const BlockGrid grid(call, block);
  startGroups(out, grid.firstQuery);
  // Smallest hash first; pairs break equal hashes by the lower block.
  std::vector<std::pair<uint64_t, int64_t>> ranking;
  for (int64_t g = 0; g < grid.numQuery; ++g) {
    const int64_t qb = grid.firstQuery + g;
    ranking.clear();
    for (int64_t c = 0; c <= grid.lastCandidate(g); ++c)
      ranking.emplace_back(core::randomBlockHash(seed, call.head, qb, c), c);
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

void selectPages(const SelectionCall &call, const std::vector<HeadRows> &queries,
                 StoredRows k, StoredRows bounds, int64_t page, int64_t count,
                 const std::vector<Selection *> &out) {
  assert(page >= 1 && "page sizes are verified to be >= 1");
  const int64_t lq = call.queryLength, lk = call.keyLength;
  const int64_t numPages = (lk + page - 1) / page;
  if (!bounds.data)
    bounds = computedPageBounds(k, page, numPages);
  for (Selection *selection : out)
    startGroups(*selection, 0);
  // Under causal the candidates are the pages starting at or before p(i).
  auto candidates = [&](int64_t i) {
    return call.causal ? std::max<int64_t>(blockOf(i + lk - lq, page) + 1, 0)
                       : numPages;
  };
  // The rows of all heads in sequence: row n is row n % Lq of head n / Lq.
  // A group of rows reads each bounds row once for all of them (in decode,
  // all the heads of the kv head).
  constexpr int64_t kRowGroup = 16;
  const int64_t rows = lq * static_cast<int64_t>(queries.size());
  std::vector<float> scores(kRowGroup * numPages), widened(2 * k.dim);
  TopScratch<float> scratch;
  for (int64_t n0 = 0; n0 < rows; n0 += kRowGroup) {
    const int64_t group = std::min(kRowGroup, rows - n0);
    const float *query[kRowGroup];
    int64_t pages[kRowGroup], most = 0;
    for (int64_t r = 0; r < group; ++r) {
      query[r] = queries[(n0 + r) / lq].row((n0 + r) % lq);
      pages[r] = candidates((n0 + r) % lq);
      most = std::max(most, pages[r]);
    }
    scorePages({query, pages, group, most, k.dim, bounds, widened.data(), scores.data(),
                numPages});
    for (int64_t r = 0; r < group; ++r)
      appendTop(scores.data() + r * numPages, pages[r], 0, count, scratch,
                *out[(n0 + r) / lq]);
  }
}

void updatePageBounds(StoredRows k, int64_t page, int64_t firstKey, PageBoundsRows out) {
  assert(page >= 1 && "page sizes are verified to be >= 1");
  const int64_t dim = k.dim;
  const bool narrow = out.dtype != SPATTN_F32;
  assert((!narrow || out.dtype == k.dtype) && "16-bit bounds are in K's dtype");
  std::vector<float> scratch(dim); // a 16-bit key widened (exactly)
  std::vector<float> row(narrow ? 2 * dim : 0); // 16-bit bounds, before narrowing
  for (int64_t p = firstKey / page; p * page < k.rows; ++p) {
    float *lo = narrow ? row.data() : static_cast<float *>(out.data) + p * out.rowStride;
    float *hi = lo + dim;
    const float *first = k.floatRow(p * page, scratch.data());
    std::copy_n(first, dim, lo);
    std::copy_n(first, dim, hi);
    for (int64_t j = p * page + 1; j < std::min(k.rows, (p + 1) * page); ++j) {
      const float *key = k.floatRow(j, scratch.data());
      for (int64_t d = 0; d < dim; ++d) {
        lo[d] = std::min(lo[d], key[d]);
        hi[d] = std::max(hi[d], key[d]);
      }
    }
    if (narrow) {
      uint16_t *stored = static_cast<uint16_t *>(out.data) + p * out.rowStride;
      for (int64_t d = 0; d < 2 * dim; ++d)
        stored[d] = narrowTo(out.dtype, row[d]); // K's own values: exact
    }
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
  TopScratch<double> scratch;
  appendTop(estimate.columns.data(), lk, 0, verticals, scratch, out);
  // Under causal only offsets 0 <= d < Lk are candidates.
  const int64_t firstOffset = call.causal ? 0 : 1 - lk;
  appendTop(estimate.offsets.data() + (firstOffset + lk - 1), lk - firstOffset,
            firstOffset, slashes, scratch, out);
}

} // namespace spattn::host
