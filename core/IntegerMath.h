//===- IntegerMath.h - Floor, ceiling and modulo on int64 -------*- C++ -*-===//
//
// The integer semantics of MLIR's affine expressions (floordiv, ceildiv,
// mod), used wherever positions become blocks and schedules are evaluated or
// printed. A zero divisor yields 0 rather than a trap: divisors are budgets
// the specialization proved positive, and a kernel must never fault on one.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_CORE_INTEGERMATH_H
#define SPATTN_CORE_INTEGERMATH_H

#include "core/HostDevice.h"

#include <cstdint>

namespace spattn::core {

/// floor(a / b).
SPATTN_HOST_DEVICE inline int64_t floorDiv(int64_t a, int64_t b) {
  if (b == 0)
    return 0;
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/// ceil(a / b).
SPATTN_HOST_DEVICE inline int64_t ceilDiv(int64_t a, int64_t b) {
  if (b == 0)
    return 0;
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) == (b < 0))) ? q + 1 : q;
}

/// The mathematical a mod b for b > 0 (result in [0, b)); 0 otherwise.
SPATTN_HOST_DEVICE inline int64_t modulo(int64_t a, int64_t b) {
  return b > 0 ? ((a % b) + b) % b : 0;
}

/// min and max that device code can call (std::min is host-only there).
SPATTN_HOST_DEVICE inline int64_t minOf(int64_t a, int64_t b) { return a < b ? a : b; }
SPATTN_HOST_DEVICE inline int64_t maxOf(int64_t a, int64_t b) { return a > b ? a : b; }

} // namespace spattn::core

#endif
