//===- SparsePairs.cpp - Partial spans in the cheapest execution form -----===//
#include "targets/cpu/libsupport/SparsePairs.h"

#include "core/LaneDot.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace spattn::cpu {

namespace {

// Costs in units of one (row, key) pair inside a kernel call, measured on
// dense and strided 16K prefill and Quest decode (docs/cpu-backend.md):
// copying a key and its value into the panel, and one pair on its own.
constexpr int64_t kColumnCopyCost = 6;
constexpr int64_t kPairCost = 12;

} // namespace

int64_t keptColumnsOf(const uint8_t *mask, int64_t rows, int64_t stride, int64_t n,
                      uint8_t *columns) {
  // Byte pointers may alias anything: say they do not, so both loops
  // vectorize.
  uint8_t *__restrict out = columns;
  std::fill(out, out + n, uint8_t{0});
  int64_t pairs = 0;
  for (int64_t r = 0; r < rows; ++r) {
    const uint8_t *__restrict row = mask + r * stride;
    for (int64_t jj = 0; jj < n; ++jj)
      out[jj] |= row[jj];
    for (int64_t jj = 0; jj < n; ++jj)
      pairs += row[jj];
  }
  return pairs;
}

SpanForm cheapestForm(const SpanCounts &c) {
  const int64_t runs = c.kernelRows * c.runKeys;
  const int64_t panel = (c.kernelRows + kColumnCopyCost) * c.keptColumns;
  const int64_t pairs = kPairCost * c.keptPairs;
  if (pairs <= runs && pairs <= panel)
    return SpanForm::Pairs;
  return panel < runs ? SpanForm::Panel : SpanForm::Runs;
}

void attendPairs(const float *query, const float *keys, int64_t keyStride,
                 const float *values, int64_t valueStride, const uint8_t *keep,
                 int64_t n, int64_t headDim, float scale, float &m, float &l,
                 float *acc, float *scores) {
  float spanMax = -std::numeric_limits<float>::infinity();
  for (int64_t jj = 0; jj < n; ++jj)
    if (keep[jj]) {
      scores[jj] = scale * core::laneDot(query, keys + jj * keyStride, headDim);
      spanMax = std::max(spanMax, scores[jj]);
    }
  if (spanMax == -std::numeric_limits<float>::infinity())
    return; // nothing kept
  // One rescale of the running state per span, as the kernels do.
  const float mNew = std::max(m, spanMax);
  const float alpha =
      m == -std::numeric_limits<float>::infinity() ? 0.0f : std::exp(m - mNew);
  l *= alpha;
  for (int64_t d = 0; d < headDim; ++d)
    acc[d] *= alpha;
  for (int64_t jj = 0; jj < n; ++jj)
    if (keep[jj]) {
      const float p = std::exp(scores[jj] - mNew);
      l += p;
      const float *value = values + jj * valueStride;
      for (int64_t d = 0; d < headDim; ++d)
        acc[d] += p * value[d];
    }
  m = mNew;
}

} // namespace spattn::cpu
