//===- LaneDot.h - A float dot product the compiler vectorizes -*- C++ -*-===//
//
// Host code (selection scores) needs <a, b> over D floats at vector speed
// in libraries built without -ffast-math:
// independent partial sums per lane let the compiler vectorize without
// reassociating one sum. One definition, so that every caller rounds alike.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_CORE_LANEDOT_H
#define SPATTN_CORE_LANEDOT_H

#include <cstdint>

namespace spattn::core {

constexpr int kDotLanes = 8;

/// The sum of term(i) over i < n with kDotLanes partial sums.
template <typename Term>
inline float laneSum(int64_t n, Term &&term) {
  float acc[kDotLanes] = {};
  int64_t i = 0;
  for (; i + kDotLanes <= n; i += kDotLanes)
    for (int l = 0; l < kDotLanes; ++l)
      acc[l] += term(i + l);
  for (; i < n; ++i)
    acc[0] += term(i);
  float total = 0.0f;
  for (int l = 0; l < kDotLanes; ++l)
    total += acc[l];
  return total;
}

/// <a, b> over n floats.
inline float laneDot(const float *a, const float *b, int64_t n) {
  return laneSum(n, [&](int64_t i) { return a[i] * b[i]; });
}

} // namespace spattn::core

#endif
