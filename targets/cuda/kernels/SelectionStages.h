//===- SelectionStages.h - Estimate and select, one team per work item -*- C++ -*-===//
//
// The content-based selection stages of docs/semantics.md as the CUDA
// target runs them: each function is the body of one kernel for one work
// item (a query block, a page, a row, a key chunk), run by a team of threads
// (targets/cuda/kernels/SelectTop.h) on team-shared memory `shared`. The
// kernels (SelectionKernels.cuh) call them with the block's threads; the
// tests call them with host threads. Scores are float32 products of the
// inputs (float32 accumulation), softmax sums and masses double, as in the
// CPU library's selections (runtime/HostSelections.cpp): well-separated
// scores choose what the reference chooses.
//
//   topk_blocks, mass   poolRows (query blocks, key blocks), then selectBlocks
//   pages               pageBounds (unless the caller keeps them), selectPages
//   vertical_slash      slashRowStats, slashColumns, slashOffsets, selectSlash
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_TARGETS_CUDA_KERNELS_SELECTIONSTAGES_H
#define SPATTN_TARGETS_CUDA_KERNELS_SELECTIONSTAGES_H

#include "core/IntegerMath.h"
#include "targets/cuda/kernels/SelectTop.h"
#include "targets/cuda/libsupport/SelectionLaunch.h"

#include <cmath>
#include <cstdint>

#if defined(__CUDACC__)
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#endif

namespace spattn::cuda {

SPATTN_HOST_DEVICE inline float toFloat(float x) { return x; }
#if defined(__CUDACC__)
__device__ inline float toFloat(__half x) { return __half2float(x); }
__device__ inline float toFloat(__nv_bfloat16 x) { return __bfloat162float(x); }
#endif

/// Row `row` of head `head` of batch element `batch` of a [B, H, L, D] tensor.
template <typename T>
SPATTN_HOST_DEVICE const T *rowOf(const void *base, const int64_t (&stride)[3], int64_t batch,
                                  int64_t head, int64_t row) {
  return static_cast<const T *>(base) + batch * stride[0] + head * stride[1] + row * stride[2];
}

/// Shared memory carved in order, each piece 16-byte aligned.
class SharedCarver {
public:
  SPATTN_HOST_DEVICE explicit SharedCarver(unsigned char *base) : at(base) {}
  template <typename U> SPATTN_HOST_DEVICE U *take(int64_t n) {
    U *out = reinterpret_cast<U *>(at);
    at += (n * static_cast<int64_t>(sizeof(U)) + 15) / 16 * 16;
    return out;
  }
  SPATTN_HOST_DEVICE int64_t used(const unsigned char *base) const { return at - base; }

private:
  unsigned char *at;
};

/// Copies one D-element row to team-shared floats; returns after a sync.
template <int D, typename T, typename Team>
SPATTN_HOST_DEVICE void loadRow(const Team &team, const T *row, float *out) {
  for (int d = team.rank(); d < D; d += team.size())
    out[d] = toFloat(row[d]);
  team.sync();
}

/// Sets one group's count (a team of any size; thread 0 writes).
template <typename Team>
SPATTN_HOST_DEVICE void setCount(const Team &team, int32_t *count, int64_t n) {
  if (team.rank() == 0)
    *count = static_cast<int32_t>(n);
  team.sync();
}

//===-- topk_blocks and mass ----------------------------------------------===//

/// Sums of the present rows of query block `group` (keys = false; head a
/// query head) or key block `group` (keys = true; head a kv head).
template <int D, typename T, typename Team>
SPATTN_HOST_DEVICE void poolRows(const Team &team, const SelectionLaunch &s, bool keys,
                                 int64_t group, int64_t head, int64_t batch) {
  const int64_t b = s.block;
  int64_t begin, end;
  float *out;
  if (keys) {
    begin = group * b;
    end = core::minOf(s.keyLength, begin + b);
    out = s.pooledK + ((batch * s.numKVHeads + head) * s.keyBlocks + group) * D;
  } else {
    if (!s.serves(head))
      return;
    const int64_t qb = s.firstQueryBlock + group;
    begin = core::maxOf(0, qb * b - s.shift());
    end = core::minOf(s.queryLength, (qb + 1) * b - s.shift());
    out = s.pooledQ + ((batch * s.numQHeads + head) * s.queryBlocks + group) * D;
  }
  for (int d = team.rank(); d < D; d += team.size()) {
    float sum = 0.0f;
    for (int64_t r = begin; r < end; ++r)
      sum += toFloat((keys ? rowOf<T>(s.k, s.kStride, batch, head, r)
                           : rowOf<T>(s.q, s.qStride, batch, head, r))[d]);
    out[d] = sum;
  }
}

/// Team-shared bytes selectBlocks needs for `candidates` key blocks.
SPATTN_HOST_DEVICE inline int64_t selectBlocksShared(int64_t dim, int64_t candidates,
                                                    int64_t capacity) {
  return 16 * 8 + dim * 4 + candidates * (4 + 8) + 3 * capacity * 4 + sizeof(TopScratch) + 64;
}

/// topk_blocks or mass for query block `group` of (head, batch): block
/// scores scale * <mean q, mean key c> over the candidates, then the top
/// `count` (topk) or the shortest mass prefix reaching gamma, at most
/// `count` (mass), written ascending to the group's slots.
template <int D, typename Team>
SPATTN_HOST_DEVICE void selectBlocks(const Team &team, const SelectionLaunch &s, int64_t group,
                                     int64_t head, int64_t batch, unsigned char *shared) {
  const int64_t slot = (batch * s.numQHeads + head) * s.out.groups + group;
  int32_t *out = s.out.index + slot * s.out.capacity;
  if (!s.serves(head))
    return setCount(team, s.out.count + slot, 0);
  const int64_t b = s.block, qb = s.firstQueryBlock + group;
  // Under causal a query block before position 0 (Lq > Lk) has none.
  const int64_t n = core::maxOf((s.causal ? qb : s.keyBlocks - 1) + 1, 0);
  const int64_t rows = core::minOf(s.queryLength, (qb + 1) * b - s.shift()) -
                       core::maxOf(0, qb * b - s.shift());
  SharedCarver carve(shared);
  double *total = carve.take<double>(2);
  float *query = carve.take<float>(D);
  float *scores = carve.take<float>(n);
  TopScratch *scratch = carve.take<TopScratch>(1);
  loadRow<D>(team, s.pooledQ + slot * D, query);
  const float queryFactor = s.scale / static_cast<float>(rows);
  const float *keys = s.pooledK + (batch * s.numKVHeads + s.kvHeadOf(head)) * s.keyBlocks * D;
  for (int64_t c = team.rank(); c < n; c += team.size()) {
    const float *key = keys + c * D;
    float dot = 0.0f;
    for (int d = 0; d < D; ++d)
      dot += query[d] * key[d];
    const int64_t present = core::minOf(s.keyLength, (c + 1) * b) - c * b;
    scores[c] = queryFactor / static_cast<float>(present) * dot;
  }
  team.sync();
  if (s.kind == SelectionKind::TopkBlocks) {
    const int64_t kept = selectTop<uint32_t>(
        team, n, core::minOf(s.count, s.out.capacity),
        [&](int64_t i) { return orderKey(scores[i]); }, *scratch, out);
    return setCount(team, s.out.count + slot, kept);
  }
  // mass: n_c * exp(s_c - max), normalized; the top `count` by mass are
  // ordered by rank (mass, then index) and the prefix is cut at gamma.
  double *mass = carve.take<double>(n);
  const int64_t most = core::minOf(core::minOf(s.count, s.out.capacity), n);
  int32_t *chosen = carve.take<int32_t>(s.out.capacity);
  int32_t *rankOf = carve.take<int32_t>(s.out.capacity);
  int32_t *byRank = carve.take<int32_t>(s.out.capacity);
  float maxScore = -INFINITY;
  for (int64_t c = 0; c < n; ++c)
    maxScore = scores[c] > maxScore ? scores[c] : maxScore;
  for (int64_t c = team.rank(); c < n; c += team.size()) {
    const int64_t present = core::minOf(s.keyLength, (c + 1) * b) - c * b;
    const double m = present * exp(static_cast<double>(scores[c]) - maxScore);
    mass[c] = m != m ? 0.0 : m;
  }
  team.sync();
  if (team.rank() == 0) { // the reference's order of additions
    double sum = 0.0;
    for (int64_t c = 0; c < n; ++c)
      sum += mass[c];
    *total = sum;
  }
  team.sync();
  const int64_t m = selectTop<uint64_t>(
      team, n, most, [&](int64_t i) { return orderKey(mass[i]); }, *scratch, chosen);
  for (int64_t a = team.rank(); a < m; a += team.size()) {
    int32_t r = 0;
    const double own = mass[chosen[a]];
    for (int64_t x = 0; x < m; ++x)
      r += mass[chosen[x]] > own || (mass[chosen[x]] == own && chosen[x] < chosen[a]);
    rankOf[a] = r;
    byRank[r] = chosen[a];
  }
  team.sync();
  if (team.rank() == 0) {
    const double norm = *total > 0.0 ? *total : 1.0;
    double cumulative = 0.0;
    int64_t kept = 0;
    while (kept < m && !(cumulative >= s.gamma))
      cumulative += mass[byRank[kept++]] / norm;
    int64_t written = 0;
    for (int64_t a = 0; a < m; ++a)
      if (rankOf[a] < kept)
        out[written++] = chosen[a];
    s.out.count[slot] = static_cast<int32_t>(written);
  }
  team.sync();
}

//===-- pages --------------------------------------------------------------===//

/// Minima then maxima over the present keys of page `page` of (kv head, batch).
template <int D, typename T, typename Team>
SPATTN_HOST_DEVICE void pageBounds(const Team &team, const SelectionLaunch &s, int64_t page,
                                   int64_t kvHead, int64_t batch) {
  const int64_t begin = page * s.block, end = core::minOf(s.keyLength, begin + s.block);
  float *out = s.computedBounds + s.boundsStride[0] * batch + s.boundsStride[1] * kvHead +
               s.boundsStride[2] * page;
  for (int d = team.rank(); d < D; d += team.size()) {
    float lo = INFINITY, hi = -INFINITY;
    for (int64_t j = begin; j < end; ++j) {
      const float x = toFloat(rowOf<T>(s.k, s.kStride, batch, kvHead, j)[d]);
      lo = x < lo ? x : lo;
      hi = x > hi ? x : hi;
    }
    out[d] = lo;
    out[D + d] = hi;
  }
}

SPATTN_HOST_DEVICE inline int64_t selectPagesShared(int64_t dim, int64_t pages) {
  return dim * 4 + pages * 4 + sizeof(TopScratch) + 48;
}

/// pages for query row `row` of (head, batch): the top `count` candidate
/// pages by sum_d max(q_d lo_d, q_d hi_d).
template <int D, typename T, typename Team>
SPATTN_HOST_DEVICE void selectPages(const Team &team, const SelectionLaunch &s, int64_t row,
                                    int64_t head, int64_t batch, unsigned char *shared) {
  const int64_t slot = (batch * s.numQHeads + head) * s.out.groups + row;
  if (!s.serves(head))
    return setCount(team, s.out.count + slot, 0);
  const int64_t pages = core::ceilDiv(s.keyLength, s.block);
  const int64_t n =
      s.causal ? core::maxOf(core::floorDiv(row + s.shift(), s.block) + 1, 0) : pages;
  SharedCarver carve(shared);
  float *query = carve.take<float>(D);
  float *scores = carve.take<float>(n);
  TopScratch *scratch = carve.take<TopScratch>(1);
  loadRow<D>(team, rowOf<T>(s.q, s.qStride, batch, head, row), query);
  const float *bounds =
      s.bounds + s.boundsStride[0] * batch + s.boundsStride[1] * s.kvHeadOf(head);
  for (int64_t p = team.rank(); p < n; p += team.size()) {
    const float *lo = bounds + s.boundsStride[2] * p, *hi = lo + D;
    float score = 0.0f;
    for (int d = 0; d < D; ++d) {
      const float a = query[d] * lo[d], c = query[d] * hi[d];
      score += a > c ? a : c;
    }
    scores[p] = score;
  }
  team.sync();
  const int64_t kept = selectTop<uint32_t>(
      team, n, core::minOf(s.count, s.out.capacity),
      [&](int64_t i) { return orderKey(scores[i]); }, *scratch,
      s.out.index + slot * s.out.capacity);
  setCount(team, s.out.count + slot, kept);
}

//===-- vertical_slash -----------------------------------------------------===//

/// The last key estimation row r may see (negative: none).
SPATTN_HOST_DEVICE inline int64_t slashLastKey(const SelectionLaunch &s, int64_t r) {
  const int64_t row = s.queryLength - s.lastQueries + r;
  return s.causal ? core::minOf(row + s.shift(), s.keyLength - 1) : s.keyLength - 1;
}

/// scale * <query, key>, accumulated in float32 in the order of d.
template <int D, typename T>
SPATTN_HOST_DEVICE float scaledDot(const float *query, const T *key, float scale) {
  float dot = 0.0f;
  for (int d = 0; d < D; ++d)
    dot += query[d] * toFloat(key[d]);
  return scale * dot;
}

SPATTN_HOST_DEVICE inline int64_t slashRowStatsShared(int64_t dim) {
  return dim * 4 + kMaxTeam * (4 + 8) + 48;
}

/// Estimation row r of (head, batch): the max score and the sum of
/// exp(score - max) over the keys it sees.
template <int D, typename T, typename Team>
SPATTN_HOST_DEVICE void slashRowStats(const Team &team, const SelectionLaunch &s, int64_t r,
                                      int64_t head, int64_t batch, unsigned char *shared) {
  if (!s.serves(head))
    return;
  SharedCarver carve(shared);
  float *query = carve.take<float>(D);
  float *maxima = carve.take<float>(kMaxTeam);
  double *sums = carve.take<double>(kMaxTeam);
  const int64_t row = s.queryLength - s.lastQueries + r, last = slashLastKey(s, r);
  loadRow<D>(team, rowOf<T>(s.q, s.qStride, batch, head, row), query);
  float most = -INFINITY;
  double sum = 0.0;
  const int64_t kvHead = s.kvHeadOf(head);
  for (int64_t j = team.rank(); j <= last; j += team.size()) {
    const float score =
        scaledDot<D>(query, rowOf<T>(s.k, s.kStride, batch, kvHead, j), s.scale);
    if (score > most) {
      sum = sum * exp(static_cast<double>(most) - score);
      most = score;
    }
    sum += exp(static_cast<double>(score) - most);
  }
  maxima[team.rank()] = most;
  sums[team.rank()] = most == -INFINITY ? 0.0 : sum;
  team.sync();
  if (team.rank() == 0) {
    float all = -INFINITY;
    for (int t = 0; t < team.size(); ++t)
      all = maxima[t] > all ? maxima[t] : all;
    double total = 0.0;
    for (int t = 0; t < team.size(); ++t)
      if (maxima[t] != -INFINITY)
        total += sums[t] * exp(static_cast<double>(maxima[t]) - all);
    const int64_t at = (batch * s.numQHeads + head) * s.lastQueries + r;
    s.rowMax[at] = all;
    s.rowSum[at] = total;
  }
  team.sync();
}

/// Diagonal slots of a key chunk: offsets d in
/// [p(first estimation row) - chunk start - kSlashChunk + 1, p(last) - chunk start].
SPATTN_HOST_DEVICE inline int64_t slashPartialWidth(const SelectionLaunch &s) {
  return s.lastQueries + kSlashChunk - 1;
}
SPATTN_HOST_DEVICE inline int64_t slashFirstOffset(const SelectionLaunch &s, int64_t chunk) {
  return s.keyLength - s.lastQueries - chunk * kSlashChunk - kSlashChunk + 1;
}

SPATTN_HOST_DEVICE inline int64_t slashColumnsShared(int64_t dim, int64_t lastQueries) {
  return kSlashRows * dim * 4 + (kSlashRows + 1) * kSlashChunk * 8 +
         (lastQueries + kSlashChunk - 1) * 8 + 64;
}

/// Key chunk `chunk` of (head, batch): the column scores
/// C(j) = sum_i P(i, j), and this chunk's share of every diagonal sum S(d)
/// it touches, both in the order of the estimation rows. Key jj of the
/// chunk belongs to thread jj mod team size throughout.
template <int D, typename T, typename Team>
SPATTN_HOST_DEVICE void slashColumns(const Team &team, const SelectionLaunch &s, int64_t chunk,
                                     int64_t head, int64_t batch, unsigned char *shared) {
  if (!s.serves(head))
    return;
  SharedCarver carve(shared);
  float *queries = carve.take<float>(kSlashRows * D);
  double *prob = carve.take<double>(kSlashRows * kSlashChunk);
  double *column = carve.take<double>(kSlashChunk);
  const int64_t width = slashPartialWidth(s);
  double *partial = carve.take<double>(width);
  const int64_t headRow = batch * s.numQHeads + head, kvHead = s.kvHeadOf(head);
  const int64_t key0 = chunk * kSlashChunk;
  const int64_t firstRow = s.queryLength - s.lastQueries;
  const int64_t firstOffset = slashFirstOffset(s, chunk);
  for (int64_t jj = team.rank(); jj < kSlashChunk; jj += team.size())
    column[jj] = 0.0;
  for (int64_t x = team.rank(); x < width; x += team.size())
    partial[x] = 0.0;
  for (int64_t r0 = 0; r0 < s.lastQueries; r0 += kSlashRows) {
    const int64_t rows = core::minOf(kSlashRows, s.lastQueries - r0);
    team.sync(); // the previous rows' probabilities are summed
    for (int64_t x = team.rank(); x < rows * D; x += team.size())
      queries[x] = toFloat(rowOf<T>(s.q, s.qStride, batch, head, firstRow + r0 + x / D)[x % D]);
    team.sync();
    for (int64_t jj = team.rank(); jj < kSlashChunk; jj += team.size()) {
      const int64_t j = key0 + jj;
      const T *key = j < s.keyLength ? rowOf<T>(s.k, s.kStride, batch, kvHead, j) : nullptr;
      for (int64_t r = 0; r < rows; ++r) {
        const int64_t at = headRow * s.lastQueries + r0 + r;
        double p = 0.0;
        if (key && j <= slashLastKey(s, r0 + r))
          p = exp(static_cast<double>(scaledDot<D>(queries + r * D, key, s.scale)) -
                  s.rowMax[at]) /
              s.rowSum[at];
        prob[r * kSlashChunk + jj] = p;
        column[jj] += p;
      }
    }
    team.sync();
    // Offset slot x is d = firstOffset + x; row r reaches key p(r) - d.
    for (int64_t x = team.rank(); x < width; x += team.size()) {
      double sum = partial[x];
      for (int64_t r = 0; r < rows; ++r) {
        const int64_t local = firstRow + r0 + r + s.shift() - (firstOffset + x) - key0;
        if (local >= 0 && local < kSlashChunk)
          sum += prob[r * kSlashChunk + local];
      }
      partial[x] = sum;
    }
  }
  team.sync();
  for (int64_t jj = team.rank(); jj < kSlashChunk && key0 + jj < s.keyLength; jj += team.size())
    s.columns[headRow * s.keyLength + key0 + jj] = column[jj];
  double *partials = s.partials + (headRow * s.keyChunks + chunk) * width;
  for (int64_t x = team.rank(); x < width; x += team.size())
    partials[x] = partial[x];
}

/// Offset scores S(d) for the offsets of item `item` of (head, batch)
/// (one thread each): the key chunks' partial sums in chunk order.
template <typename Team>
SPATTN_HOST_DEVICE void slashOffsets(const Team &team, const SelectionLaunch &s, int64_t item,
                                     int64_t head, int64_t batch) {
  if (!s.serves(head))
    return;
  const int64_t lk = s.keyLength, headRow = batch * s.numQHeads + head;
  const int64_t x = item * team.size() + team.rank();
  if (x >= 2 * lk - 1)
    return;
  const int64_t d = x - (lk - 1);
  // Estimation rows reach keys [p(first) - d, p(last) - d].
  const int64_t lowKey = core::maxOf(lk - s.lastQueries - d, 0);
  const int64_t highKey = core::minOf(lk - 1 - d, lk - 1);
  double sum = 0.0;
  const int64_t width = slashPartialWidth(s);
  for (int64_t c = lowKey / kSlashChunk; lowKey <= highKey && c <= highKey / kSlashChunk; ++c)
    sum += s.partials[(headRow * s.keyChunks + c) * width + (d - slashFirstOffset(s, c))];
  s.offsets[headRow * (2 * lk - 1) + x] = sum;
}

/// The top columns (part 0) or the top offsets (part 1) of (head, batch),
/// into group `part` of the stage's slots.
template <typename Team>
SPATTN_HOST_DEVICE void selectSlash(const Team &team, const SelectionLaunch &s, int64_t part,
                                    int64_t head, int64_t batch, unsigned char *shared) {
  const int64_t slot = (batch * s.numQHeads + head) * s.out.groups + part;
  if (!s.serves(head))
    return setCount(team, s.out.count + slot, 0);
  const int64_t lk = s.keyLength, headRow = batch * s.numQHeads + head;
  TopScratch *scratch = reinterpret_cast<TopScratch *>(shared);
  int32_t *out = s.out.index + slot * s.out.capacity;
  int64_t kept;
  if (part == 0) {
    const double *columns = s.columns + headRow * lk;
    kept = selectTop<uint64_t>(
        team, lk, core::minOf(s.count, s.out.capacity),
        [&](int64_t i) { return orderKey(columns[i]); }, *scratch, out);
  } else {
    // Under causal only offsets 0 <= d < Lk are candidates.
    const int64_t first = s.causal ? 0 : 1 - lk;
    const double *offsets = s.offsets + headRow * (2 * lk - 1) + (first + lk - 1);
    kept = selectTop<uint64_t>(
        team, lk - first, core::minOf(s.count2, s.out.capacity),
        [&](int64_t i) { return orderKey(offsets[i]); }, *scratch, out);
    for (int64_t a = team.rank(); a < kept; a += team.size())
      out[a] += static_cast<int32_t>(first);
    team.sync();
  }
  setCount(team, s.out.count + slot, kept);
}

} // namespace spattn::cuda

#endif
