//===- RequestSpace.h - Combinations of a spec's request values -*- C++ -*-===//
//
// A spec may declare request parameters: named integers, each in an
// inclusive range, that every call passes and budgets read like %L. A
// library tabulates its budgets per (length, combination of request values),
// so the compiler and the runtime must number the combinations the same
// way: mixed radix, the first parameter varying slowest. This is that
// numbering, the only one.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_CORE_REQUESTSPACE_H
#define SPATTN_CORE_REQUESTSPACE_H

#include <cstdint>

namespace spattn::core {

/// The most request-value combinations a spec may declare: each has its own
/// length tables in a library.
constexpr int64_t kMaxRequestCombinations = 4096;

struct RequestSpace {
  int32_t count = 0;             // request parameters
  const int64_t *minimum = nullptr; // [count], inclusive
  const int64_t *maximum = nullptr; // [count], inclusive

  /// Number of combinations (1 without parameters); callers check
  /// kMaxRequestCombinations before building tables.
  int64_t combinations() const {
    int64_t n = 1;
    for (int32_t k = 0; k < count; ++k)
      n *= maximum[k] - minimum[k] + 1;
    return n;
  }

  /// Index of `values` (each in range; the caller checked).
  int64_t indexOf(const int64_t *values) const {
    int64_t index = 0;
    for (int32_t k = 0; k < count; ++k)
      index = index * (maximum[k] - minimum[k] + 1) + (values[k] - minimum[k]);
    return index;
  }

  /// The values of combination `index`, into values[0 .. count).
  void valuesOf(int64_t index, int64_t *values) const {
    for (int32_t k = count - 1; k >= 0; --k) {
      int64_t size = maximum[k] - minimum[k] + 1;
      values[k] = minimum[k] + index % size;
      index /= size;
    }
  }

  /// The first parameter whose value is out of range, or -1.
  int32_t firstOutOfRange(const int64_t *values) const {
    for (int32_t k = 0; k < count; ++k)
      if (values[k] < minimum[k] || values[k] > maximum[k])
        return k;
    return -1;
  }
};

} // namespace spattn::core

#endif
