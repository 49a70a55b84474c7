//===- SparsePairs.cpp - Partial spans in the cheapest execution form -----===//
//
// The pairs loop is compiled three times (baseline, AVX2, AVX-512) from one
// body with GCC vector types; the driver runs the widest one the CPU has
// under SPATTN_CPU_ISA (the library itself is built for baseline x86-64).
//
//===----------------------------------------------------------------------===//
#include "targets/cpu/libsupport/SparsePairs.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

// Vector arguments of always-inline helpers: no ABI is involved.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace spattn::cpu {

namespace {

// Costs in units of one (row, key) pair inside a kernel call: copying a key
// and its value into the panel, and one pair on its own, measured on
// minference and sparse_transformer at 16K (docs/cpu-backend.md); a
// (row, key) of a kept diagonal that the pairs loop visits (a byte test),
// taken as a quarter of a unit, not measured.
constexpr int64_t kColumnCopyCost = 6;
constexpr int64_t kPairCost = 12;
constexpr int64_t kVisitsPerUnit = 4;

constexpr float kMinusInf = -std::numeric_limits<float>::infinity();

/// Keys whose scores one row holds at a time: one online-softmax rescale
/// per chunk.
constexpr int kChunk = 32;

#define SPATTN_INLINE inline __attribute__((always_inline))

typedef float Floats16 __attribute__((vector_size(64)));
typedef float Floats8 __attribute__((vector_size(32)));
typedef float Floats4 __attribute__((vector_size(16)));

SPATTN_INLINE Floats16 load16(const float *p) {
  Floats16 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

SPATTN_INLINE void store16(float *p, const Floats16 &v) { std::memcpy(p, &v, sizeof v); }

SPATTN_INLINE float sum16(const Floats16 &v) {
  Floats8 a = __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7) +
              __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
  Floats4 b = __builtin_shufflevector(a, a, 0, 1, 2, 3) +
              __builtin_shufflevector(a, a, 4, 5, 6, 7);
  return (b[0] + b[2]) + (b[1] + b[3]);
}

/// <a, b> over n floats, two vector accumulators (two FMA chains). Not
/// core::laneDot: its 8 lanes fix the rounding the selections share, and
/// fill half an AVX-512 register.
SPATTN_INLINE float dot(const float *a, const float *b, int64_t n) {
  Floats16 s0 = {}, s1 = {};
  int64_t d = 0;
  for (; d + 32 <= n; d += 32) {
    s0 += load16(a + d) * load16(b + d);
    s1 += load16(a + d + 16) * load16(b + d + 16);
  }
  if (d + 16 <= n) {
    s0 += load16(a + d) * load16(b + d);
    d += 16;
  }
  float total = sum16(s0 + s1);
  for (; d < n; ++d)
    total += a[d] * b[d];
  return total;
}

/// acc = acc * alpha + p * v over n floats (alpha = 1: a plain axpy).
SPATTN_INLINE void scaleAdd(float *acc, float alpha, float p, const float *v,
                            int64_t n) {
  int64_t d = 0;
  for (; d + 16 <= n; d += 16)
    store16(acc + d, load16(acc + d) * alpha + p * load16(v + d));
  for (; d < n; ++d)
    acc[d] = acc[d] * alpha + p * v[d];
}

/// One row's kept keys among the diagonals [first, last) (all inside the
/// span for this row: key = diagonal + shift), a chunk at a time.
SPATTN_INLINE void attendRow(const PartialSpan &s, const float *query,
                             const uint8_t *keep, const int32_t *first,
                             const int32_t *last, int64_t shift, float &m,
                             float &l, float *acc) {
  const int64_t D = s.headDim;
  float scores[kChunk];
  int64_t keys[kChunk];
  for (const int32_t *chunk = first; chunk < last; chunk += kChunk) {
    const int32_t *end = chunk + std::min<int64_t>(kChunk, last - chunk);
    int count = 0;
    float chunkMax = kMinusInf;
    for (const int32_t *e = chunk; e < end; ++e) {
      const int64_t jj = *e + shift;
      if (!keep[jj])
        continue;
      const float score = s.scale * dot(query, s.keys + jj * s.keyStride, D);
      keys[count] = jj;
      scores[count++] = score;
      chunkMax = chunkMax > score ? chunkMax : score;
    }
    if (count == 0)
      continue;
    float alpha = 1.0f;
    if (chunkMax > m) {
      alpha = m == kMinusInf ? 0.0f : std::exp(m - chunkMax);
      l *= alpha;
      m = chunkMax;
    }
    for (int i = 0; i < count; ++i) {
      const float p = std::exp(scores[i] - m);
      l += p;
      // The rescale rides on the chunk's first axpy.
      scaleAdd(acc, i == 0 ? alpha : 1.0f, p, s.values + keys[i] * s.valueStride, D);
    }
  }
}

SPATTN_INLINE void pairsBody(const PartialSpan &s, const int32_t *list,
                             int64_t numDiagonals, const RowStates &states) {
  const int32_t *end = list + numDiagonals;
  for (int64_t p = 0; p < s.rows; ++p) {
    // Row p keeps keys jj = e + shift, inside the span for e in
    // [-shift, n - shift).
    const int64_t shift = p - (s.rows - 1);
    const int32_t *first = std::lower_bound(list, end, -shift);
    const int32_t *last = std::lower_bound(first, end, s.n - shift);
    attendRow(s, s.queries + p * s.queryStride, s.mask + p * s.maskStride, first,
              last, shift, states.m[p], states.l[p], states.acc + p * states.accStride);
  }
}

void pairsBaseline(const PartialSpan &s, const int32_t *list, int64_t count,
                   const RowStates &states) {
  pairsBody(s, list, count, states);
}

#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) void
pairsAvx2(const PartialSpan &s, const int32_t *list, int64_t count,
          const RowStates &states) {
  pairsBody(s, list, count, states);
}

__attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx2,fma"))) void
pairsAvx512(const PartialSpan &s, const int32_t *list, int64_t count,
            const RowStates &states) {
  pairsBody(s, list, count, states);
}
#endif

} // namespace

int64_t scanMask(const PartialSpan &s, uint8_t *columns, uint8_t *diagonals) {
  // Byte pointers may alias anything: say they do not, so the loops
  // vectorize.
  uint8_t *__restrict cols = columns;
  const int64_t n = s.n;
  std::fill(cols, cols + n, uint8_t{0});
  std::fill(diagonals, diagonals + n + s.rows - 1, uint8_t{0});
  int64_t pairs = 0;
  for (int64_t p = 0; p < s.rows; ++p) {
    const uint8_t *__restrict row = s.mask + p * s.maskStride;
    uint8_t *__restrict diag = diagonals + (s.rows - 1 - p);
    for (int64_t jj = 0; jj < n; ++jj) {
      cols[jj] |= row[jj];
      diag[jj] |= row[jj];
    }
    for (int64_t jj = 0; jj < n; ++jj)
      pairs += row[jj];
  }
  return pairs;
}

int64_t listDiagonals(const PartialSpan &s, const uint8_t *diagonals, int32_t *list,
                      int64_t &visits) {
  const int64_t rows = s.rows, n = s.n;
  int64_t count = 0;
  visits = 0;
  for (int64_t e = 0; e < n + rows - 1; ++e)
    if (diagonals[e]) {
      list[count++] = static_cast<int32_t>(e);
      // Rows p with 0 <= p + e - (rows - 1) < n.
      visits += std::min(rows, n + rows - 1 - e) - std::max<int64_t>(0, rows - 1 - e);
    }
  return count;
}

SpanForm cheapestForm(const SpanCounts &c) {
  const int64_t runs = c.kernelRows * c.runKeys;
  const int64_t panel = (c.kernelRows + kColumnCopyCost) * c.keptColumns;
  const int64_t pairs = kPairCost * c.keptPairs + c.diagonalVisits / kVisitsPerUnit;
  if (pairs <= runs && pairs <= panel)
    return SpanForm::Pairs;
  return panel < runs ? SpanForm::Panel : SpanForm::Runs;
}

void attendPairs(const PartialSpan &span, const int32_t *list, int64_t numDiagonals,
                 const RowStates &states, HostVectors vectors) {
#if defined(__x86_64__)
  if (vectors == HostVectors::Avx512)
    return pairsAvx512(span, list, numDiagonals, states);
  if (vectors == HostVectors::Avx2)
    return pairsAvx2(span, list, numDiagonals, states);
#endif
  pairsBaseline(span, list, numDiagonals, states);
}

} // namespace spattn::cpu
