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
constexpr int64_t kPairCost = 6;
constexpr int64_t kVisitsPerUnit = 4;

constexpr float kMinusInf = -std::numeric_limits<float>::infinity();

/// Keys whose scores one row holds at a time: one online-softmax rescale
/// per chunk.
constexpr int kChunk = 32;

#define SPATTN_INLINE inline __attribute__((always_inline))

typedef float Floats16 __attribute__((vector_size(64)));
typedef float Floats8 __attribute__((vector_size(32)));
typedef float Floats4 __attribute__((vector_size(16)));
typedef int32_t Ints16 __attribute__((vector_size(64)));

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

/// e^x lane by lane for x <= 0 (a score less its row's maximum), as
/// 2^k * e^r with |r| <= ln 2 / 2 and e^r's Taylor series to degree 6
/// (relative error under 2e-7; glibc's scalar expf per pair cost 12% of
/// the loop). Below -87 (e^x < 2^-125) it returns e^-87, not 0: a weight
/// that small changes no sum. NaN stays NaN.
SPATTN_INLINE Floats16 exp16(const Floats16 &in) {
  const Floats16 x = in < -87.0f ? -87.0f : in;
  // k = round(x / ln 2); x <= 0, so truncating x / ln 2 - 1/2 rounds it.
  const Ints16 k = __builtin_convertvector(x * 1.44269504f - 0.5f, Ints16);
  const Floats16 kf = __builtin_convertvector(k, Floats16);
  // r = x - k ln 2, with ln 2 split so that k * high is exact.
  const Floats16 r = (x - kf * 0.693145751953125f) - kf * 1.428606820e-6f;
  Floats16 p = 1.0f / 720 + r * (1.0f / 5040);
  p = 1.0f / 120 + r * p;
  p = 1.0f / 24 + r * p;
  p = 1.0f / 6 + r * p;
  p = 0.5f + r * p;
  p = 1.0f + r * p;
  p = 1.0f + r * p;
  Floats16 twoK;
  const Ints16 bits = (k + 127) << 23;
  std::memcpy(&twoK, &bits, sizeof twoK);
  return p * twoK;
}

/// out[i] = <q, rows + at[i]> over n floats for count rows, four rows at a
/// time so that each load of q feeds four independent FMA chains; a last
/// group of fewer than four repeats its first row (most rows keep one to
/// four keys of a chunk, and one chain alone waits on its FMA latency).
/// `at` and `out` have room for a multiple of four. Not core::laneDot: its
/// 8 lanes fix the rounding the selections share, and fill half an AVX-512
/// register.
SPATTN_INLINE void dots(const float *q, const float *rows, int64_t *at, int count,
                        int64_t n, float *out) {
  for (int i = count; i % 4 != 0; ++i)
    at[i] = at[count - count % 4];
  for (int i = 0; i < count; i += 4) {
    const float *r0 = rows + at[i], *r1 = rows + at[i + 1];
    const float *r2 = rows + at[i + 2], *r3 = rows + at[i + 3];
    Floats16 s0 = {}, s1 = {}, s2 = {}, s3 = {};
    int64_t d = 0;
    for (; d + 16 <= n; d += 16) {
      const Floats16 qv = load16(q + d);
      s0 += qv * load16(r0 + d);
      s1 += qv * load16(r1 + d);
      s2 += qv * load16(r2 + d);
      s3 += qv * load16(r3 + d);
    }
    float t0 = sum16(s0), t1 = sum16(s1), t2 = sum16(s2), t3 = sum16(s3);
    for (; d < n; ++d) {
      t0 += q[d] * r0[d];
      t1 += q[d] * r1[d];
      t2 += q[d] * r2[d];
      t3 += q[d] * r3[d];
    }
    out[i] = t0, out[i + 1] = t1, out[i + 2] = t2, out[i + 3] = t3;
  }
}

/// acc = acc * alpha + sum_i weights[i] * (rows + at[i]) over n floats, 64
/// floats of acc at a time held in registers across the count rows: acc is
/// read and written once per chunk, not once per key.
SPATTN_INLINE void weightedSum(float *acc, float alpha, const float *rows,
                               const int64_t *at, const float *weights, int count,
                               int64_t n) {
  int64_t d = 0;
  for (; d + 64 <= n; d += 64) {
    Floats16 a0 = load16(acc + d) * alpha, a1 = load16(acc + d + 16) * alpha;
    Floats16 a2 = load16(acc + d + 32) * alpha, a3 = load16(acc + d + 48) * alpha;
    for (int i = 0; i < count; ++i) {
      const float *r = rows + at[i] + d;
      const float w = weights[i];
      a0 += w * load16(r);
      a1 += w * load16(r + 16);
      a2 += w * load16(r + 32);
      a3 += w * load16(r + 48);
    }
    store16(acc + d, a0), store16(acc + d + 16, a1);
    store16(acc + d + 32, a2), store16(acc + d + 48, a3);
  }
  for (; d + 16 <= n; d += 16) {
    Floats16 a = load16(acc + d) * alpha;
    for (int i = 0; i < count; ++i)
      a += weights[i] * load16(rows + at[i] + d);
    store16(acc + d, a);
  }
  for (; d < n; ++d) {
    float a = acc[d] * alpha;
    for (int i = 0; i < count; ++i)
      a += weights[i] * rows[at[i] + d];
    acc[d] = a;
  }
}

/// One row's kept keys among the diagonals [first, last) (all inside the
/// span for this row: key = diagonal + shift), a chunk at a time: the
/// chunk's kept keys first, then their scores, one rescale, one weighted
/// sum of their values.
SPATTN_INLINE void attendRow(const PartialSpan &s, const float *query,
                             const uint8_t *keep, const int32_t *first,
                             const int32_t *last, int64_t shift, float &m,
                             float &l, float *acc) {
  const int64_t D = s.headDim;
  static_assert(kChunk % 16 == 0, "dots() and exp16 work on whole groups");
  int64_t keyAt[kChunk], valueAt[kChunk];
  float weights[kChunk] = {}; // exp16 reads whole vectors
  for (const int32_t *chunk = first; chunk < last; chunk += kChunk) {
    const int32_t *end = chunk + std::min<int64_t>(kChunk, last - chunk);
    int count = 0;
    for (const int32_t *e = chunk; e < end; ++e) {
      const int64_t jj = *e + shift;
      keyAt[count] = jj * s.keyStride;
      valueAt[count] = jj * s.valueStride;
      count += keep[jj] != 0;
    }
    if (count == 0)
      continue;
    dots(query, s.keys, keyAt, count, D, weights);
    float chunkMax = kMinusInf;
    for (int i = 0; i < count; ++i) {
      weights[i] *= s.scale;
      chunkMax = chunkMax > weights[i] ? chunkMax : weights[i];
    }
    float alpha = 1.0f;
    if (chunkMax > m) {
      alpha = m == kMinusInf ? 0.0f : std::exp(m - chunkMax);
      l *= alpha;
      m = chunkMax;
    }
    for (int i = 0; i < count; i += 16)
      store16(weights + i, exp16(load16(weights + i) - m));
    for (int i = 0; i < count; ++i)
      l += weights[i];
    weightedSum(acc, alpha, s.values, valueAt, weights, count, D);
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

typedef uint8_t Bytes64 __attribute__((vector_size(64)));
typedef uint64_t Words8 __attribute__((vector_size(64)));

SPATTN_INLINE Bytes64 loadBytes(const uint8_t *p) {
  Bytes64 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

SPATTN_INLINE void storeBytes(uint8_t *p, const Bytes64 &v) {
  std::memcpy(p, &v, sizeof v);
}

/// The sum of v's 64 bytes, each at most 31 (so that eight of them fit a
/// byte): multiplying a word by 0x0101...01 sums its bytes into the top one.
SPATTN_INLINE int64_t byteSum(const Bytes64 &v) {
  Words8 w;
  std::memcpy(&w, &v, sizeof w);
  w = (w * 0x0101010101010101ull) >> 56;
  int64_t total = 0;
  for (int i = 0; i < 8; ++i)
    total += static_cast<int64_t>(w[i]);
  return total;
}

/// One pass over each mask row (bytes 0 or 1), 64 keys at a time: ORs it
/// into the columns and into the diagonals, ANDs it into the full columns,
/// and counts its kept keys in byte lanes, emptied every 31 blocks.
SPATTN_INLINE int64_t scanBody(const PartialSpan &s, uint8_t *columns,
                               uint8_t *fullColumns, uint8_t *diagonals) {
  const int64_t n = s.n;
  std::memset(columns, 0, n);
  std::memset(fullColumns, 1, n);
  std::memset(diagonals, 0, n + s.rows - 1);
  int64_t pairs = 0;
  for (int64_t p = 0; p < s.rows; ++p) {
    const uint8_t *row = s.mask + p * s.maskStride;
    uint8_t *diagonal = diagonals + (s.rows - 1 - p);
    int64_t jj = 0;
    while (jj + 64 <= n) {
      Bytes64 kept = {};
      for (int blocks = 0; blocks < 31 && jj + 64 <= n; ++blocks, jj += 64) {
        const Bytes64 v = loadBytes(row + jj);
        storeBytes(columns + jj, loadBytes(columns + jj) | v);
        storeBytes(fullColumns + jj, loadBytes(fullColumns + jj) & v);
        storeBytes(diagonal + jj, loadBytes(diagonal + jj) | v);
        kept += v;
      }
      pairs += byteSum(kept);
    }
    for (; jj < n; ++jj) {
      columns[jj] |= row[jj];
      fullColumns[jj] &= row[jj];
      diagonal[jj] |= row[jj];
      pairs += row[jj];
    }
  }
  return pairs;
}

int64_t scanBaseline(const PartialSpan &s, uint8_t *columns, uint8_t *fullColumns,
                     uint8_t *diagonals) {
  return scanBody(s, columns, fullColumns, diagonals);
}

#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) int64_t scanAvx2(const PartialSpan &s,
                                                     uint8_t *columns,
                                                     uint8_t *fullColumns,
                                                     uint8_t *diagonals) {
  return scanBody(s, columns, fullColumns, diagonals);
}

__attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx2,fma"))) int64_t
scanAvx512(const PartialSpan &s, uint8_t *columns, uint8_t *fullColumns,
           uint8_t *diagonals) {
  return scanBody(s, columns, fullColumns, diagonals);
}
#endif

} // namespace

int64_t scanMask(const PartialSpan &span, uint8_t *columns, uint8_t *fullColumns,
                 uint8_t *diagonals, HostVectors vectors) {
#if defined(__x86_64__)
  if (vectors == HostVectors::Avx512)
    return scanAvx512(span, columns, fullColumns, diagonals);
  if (vectors == HostVectors::Avx2)
    return scanAvx2(span, columns, fullColumns, diagonals);
#endif
  return scanBaseline(span, columns, fullColumns, diagonals);
}

void dropColumns(uint8_t *mask, int64_t maskStride, int64_t rows, int64_t n,
                 const uint8_t *columns) {
  for (int64_t p = 0; p < rows; ++p) {
    uint8_t *row = mask + p * maskStride;
    for (int64_t jj = 0; jj < n; ++jj)
      row[jj] &= columns[jj] ^ 1;
  }
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
  const int64_t columnCost = c.kernelRows + kColumnCopyCost;
  const int64_t runs = c.kernelRows * c.runKeys;
  const int64_t panel = columnCost * c.keptColumns;
  int64_t pairs = kPairCost * c.keptPairs + c.diagonalVisits / kVisitsPerUnit;
  // The full columns' pairs through the panel instead: the visits are
  // those of all the diagonals still (an upper bound; dropping the columns
  // drops the diagonals only they kept).
  const bool splitColumns = c.fullColumns > 0 && columnCost < kPairCost * c.rows;
  if (splitColumns)
    pairs -= (kPairCost * c.rows - columnCost) * c.fullColumns;
  if (pairs <= runs && pairs <= panel)
    return splitColumns ? SpanForm::PanelAndPairs : SpanForm::Pairs;
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
